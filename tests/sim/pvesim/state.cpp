#include "state.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "api_error.h"
#include "ct_schema.h"

namespace pvesim {

namespace {

constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;
constexpr std::uint64_t kMiB = 1024ull * 1024;
constexpr int kNodeCpus = 16;
constexpr std::uint64_t kNodeMem = 64 * kGiB;

std::string conf_path(const std::string& node, int vmid) {
    return "nodes/" + node + "/lxc/" + std::to_string(vmid) + ".conf";
}

std::string get(const ConfigMap& m, const std::string& key, const std::string& fallback = "") {
    auto it = m.find(key);
    return it == m.end() ? fallback : it->second;
}

// A new-disk request "STORAGE:SIZE_GiB" (the storage may be missing: "8").
bool parse_new_disk(const std::string& volume, std::string& storage, std::string& size) {
    auto colon = volume.find(':');
    std::string s = colon == std::string::npos ? "" : volume.substr(0, colon);
    std::string n = colon == std::string::npos ? volume : volume.substr(colon + 1);
    if (n.empty() || !is_number(n) || n[0] == '+' || n[0] == '-' || n.find('e') != n.npos ||
        n.find('E') != n.npos || n.front() == '.' || n.back() == '.') {
        return false;
    }
    storage = s;
    size = n;
    return true;
}

}  // namespace

bool Storage::has(const std::string& c) const {
    return std::find(content.begin(), content.end(), c) != content.end();
}

std::string ostype_from_template(const std::string& ostemplate) {
    auto slash = ostemplate.rfind('/');
    std::string name = slash == std::string::npos ? ostemplate : ostemplate.substr(slash + 1);
    static const std::vector<std::pair<std::string, std::string>> known = {
        {"debian", "debian"}, {"ubuntu", "ubuntu"},       {"alpine", "alpine"},
        {"centos", "centos"}, {"rockylinux", "centos"},   {"almalinux", "centos"},
        {"fedora", "fedora"}, {"archlinux", "archlinux"}, {"opensuse", "opensuse"},
        {"gentoo", "gentoo"}, {"devuan", "devuan"},       {"nixos", "nixos"}};
    for (const auto& [prefix, type] : known) {
        if (name.rfind(prefix, 0) == 0) {
            return type;
        }
    }
    return "unmanaged";
}

Cluster::Cluster(const std::vector<std::string>& nodes, std::uint64_t seed) : rng_(seed) {
    for (const auto& n : nodes) {
        nodes_.push_back(NodeState{n, true});
    }
    // A default Proxmox VE install: "local" holds templates and backups but no container
    // volumes; "local-lvm" (LVM-thin) holds container and VM disks.
    storages_.push_back(Storage{"local", "dir", {"backup", "iso", "vztmpl"}, 100 * kGiB});
    storages_.push_back(Storage{"local-lvm", "lvmthin", {"images", "rootdir"}, 2048 * kGiB});
    boot_time_ = static_cast<std::int64_t>(std::time(nullptr)) - 3 * 86400;  // up for 3 days
}

NodeState* Cluster::node(const std::string& name) {
    for (auto& n : nodes_) {
        if (n.name == name) {
            return &n;
        }
    }
    return nullptr;
}

const NodeState* Cluster::node(const std::string& name) const {
    for (const auto& n : nodes_) {
        if (n.name == name) {
            return &n;
        }
    }
    return nullptr;
}

const Storage* Cluster::storage(const std::string& id) const {
    for (const auto& s : storages_) {
        if (s.id == id) {
            return &s;
        }
    }
    return nullptr;
}

Container* Cluster::find(int vmid) {
    auto it = cts_.find(vmid);
    return it == cts_.end() ? nullptr : &it->second;
}

Container& Cluster::load(const std::string& node, int vmid) {
    auto it = cts_.find(vmid);
    if (it == cts_.end() || it->second.node != node) {
        die("Configuration file '" + conf_path(node, vmid) + "' does not exist");
    }
    return it->second;
}

void Cluster::check_lock(const Container& ct) {
    auto it = ct.conf.values.find("lock");
    if (it != ct.conf.values.end()) {
        die("CT is locked (" + it->second + ")");
    }
}

void Cluster::check_vmid_unused(int vmid) const {
    auto it = cts_.find(vmid);
    if (it != cts_.end()) {
        die("CT " + std::to_string(vmid) + " already exists on node '" + it->second.node + "'");
    }
}

int Cluster::next_free_vmid() const {
    int id = 100;
    for (const auto& [vmid, ct] : cts_) {
        if (vmid > id) {
            break;
        }
        if (vmid == id) {
            ++id;
        }
    }
    return id;
}

std::string Cluster::random_hwaddr() {
    // PVE::Tools::random_ether_addr with the default datacenter mac_prefix BC:24:11.
    std::uniform_int_distribution<int> byte(0, 255);
    char buf[32];
    std::snprintf(buf, sizeof buf, "BC:24:11:%02X:%02X:%02X", byte(rng_), byte(rng_), byte(rng_));
    return buf;
}

std::string Cluster::normalise_net(const std::string& value) {
    std::string err;
    auto parsed = parse_property_string(net_format(), value, "", err);
    if (!parsed) {
        die(err);
    }
    (*parsed)["type"] = "veth";
    if (parsed->count("hwaddr") == 0) {
        (*parsed)["hwaddr"] = random_hwaddr();
    }
    return print_property_string(net_format(), *parsed);
}

std::string Cluster::unique_tags(const std::string& tags) {
    std::set<std::string> unique;
    for (auto tag : split_list(tags)) {
        std::transform(tag.begin(), tag.end(), tag.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        unique.insert(tag);
    }
    std::string out;
    for (const auto& t : unique) {
        out += (out.empty() ? "" : ";") + t;
    }
    return out;
}

std::string Cluster::next_disk_name(int vmid, const std::string& storage) {
    std::set<std::string> used;
    if (auto* ct = find(vmid)) {
        auto collect = [&](const ConfigMap& m) {
            for (const auto& [k, v] : m) {
                if (is_mount_key(k) || k.rfind("unused", 0) == 0) {
                    used.insert(v.substr(0, v.find(',')));
                }
            }
        };
        collect(ct->conf.values);
        collect(ct->conf.pending);
        for (const auto& [name, snap] : ct->conf.snapshots) {
            collect(snap);
        }
    }
    for (int i = 0;; ++i) {
        std::string name = storage + ":vm-" + std::to_string(vmid) + "-disk-" + std::to_string(i);
        if (used.count(name) == 0) {
            return name;
        }
    }
}

std::string Cluster::create_mount(int vmid, const std::string& key, const std::string& value,
                                  const std::string& default_storage, bool for_create) {
    const Format& fmt = key == "rootfs" ? rootfs_format() : mp_format();
    std::string text = value;
    // "8" alone means "default storage, 8 GiB" at create time.
    if (for_create && is_number(text) && text.find(':') == std::string::npos &&
        text.find(',') == std::string::npos) {
        text = default_storage + ":" + text;
    }
    std::string err;
    auto mp = parse_property_string(fmt, text, key, err);
    if (!mp) {
        param_error(key, "invalid format - " + err);
    }
    std::string storage_id, size;
    if (!parse_new_disk((*mp)["volume"], storage_id, size)) {
        return print_property_string(fmt, *mp);  // an existing volume or a bind mount
    }
    if (storage_id.empty()) {
        storage_id = default_storage;
    }
    const Storage* st = storage(storage_id);
    if (st == nullptr) {
        die("storage '" + storage_id + "' does not exist");
    }
    if (!st->has("rootdir")) {
        param_error("storage",
                    "storage '" + storage_id + "' does not support container directories");
    }
    double gib = std::strtod(size.c_str(), nullptr);
    auto bytes = static_cast<std::uint64_t>(gib * static_cast<double>(kGiB));
    if (bytes == 0) {
        die("unable to create volume of size 0");
    }
    (*mp)["volume"] = next_disk_name(vmid, storage_id);
    (*mp)["size"] = format_size(bytes);
    return print_property_string(fmt, *mp);
}

CreatePlan Cluster::prepare_create(int vmid, Params params) {
    CreatePlan plan;
    auto take = [&](const std::string& k) -> std::optional<std::string> {
        auto it = params.find(k);
        if (it == params.end()) {
            return std::nullopt;
        }
        std::string v = it->second;
        params.erase(it);
        return v;
    };
    plan.start = take("start").value_or("0") == "1";
    take("ignore-unpack-errors");
    take("bwlimit");
    take("ha-managed");
    take("unique");
    take("force");
    if (take("restore").value_or("0") == "1") {
        die("unable to restore CT " + std::to_string(vmid) + " - no backup archive in simulator");
    }
    std::string unprivileged = take("unprivileged").value_or("1");
    check_vmid_unused(vmid);
    take("password");
    auto ssh_keys = take("ssh-public-keys");
    if (ssh_keys && ssh_keys->find("ssh-") == std::string::npos &&
        ssh_keys->find("ecdsa-") == std::string::npos) {
        die("SSH public key validation error");
    }
    plan.pool = take("pool").value_or("");
    plan.ostemplate = *take("ostemplate");
    std::string default_storage = take("storage").value_or("local");

    // The template must be a container template on a storage that holds them.
    auto colon = plan.ostemplate.find(':');
    if (colon == std::string::npos) {
        die("unable to parse volume ID '" + plan.ostemplate + "'");
    }
    std::string tstore = plan.ostemplate.substr(0, colon);
    const Storage* ts = storage(tstore);
    if (ts == nullptr) {
        die("storage '" + tstore + "' does not exist");
    }
    if (plan.ostemplate.compare(colon + 1, 7, "vztmpl/") != 0 || !ts->has("vztmpl")) {
        die("volume '" + plan.ostemplate + "' does not exist");
    }
    const Storage* ds = storage(default_storage);
    if (ds == nullptr) {
        die("storage '" + default_storage + "' does not exist");
    }

    ConfigMap& conf = plan.conf.values;
    bool has_rootfs = params.count("rootfs") != 0;
    for (const auto& [k, v] : params) {
        if (k.rfind("mp", 0) == 0 && is_mount_key(k) && !has_rootfs) {
            die("mount points configured, but 'rootfs' not set - aborting");
        }
    }
    if (!has_rootfs) {
        if (!ds->has("rootdir")) {
            param_error("storage",
                        "storage '" + default_storage + "' does not support container directories");
        }
        params["rootfs"] = default_storage + ":4";
    }
    // Mounts first so that disk numbers follow rootfs, mp0, mp1, …
    std::vector<std::string> mounts;
    for (const auto& [k, v] : params) {
        if (is_mount_key(k) && k != "rootfs") {
            mounts.push_back(k);
        }
    }
    std::sort(mounts.begin(), mounts.end(), [](const std::string& a, const std::string& b) {
        return std::stoi(a.substr(2)) < std::stoi(b.substr(2));
    });
    mounts.insert(mounts.begin(), "rootfs");
    // Disk names are allocated against a scratch container so numbering is per CT.
    std::set<std::string> taken;
    for (const auto& k : mounts) {
        std::string v = create_mount(vmid, k, params[k], default_storage, true);
        // Bump the disk index past volumes already handed out in this request.
        std::string vol = v.substr(0, v.find(','));
        while (taken.count(vol) != 0) {
            auto dash = vol.rfind('-');
            int n = std::stoi(vol.substr(dash + 1)) + 1;
            std::string rest = v.substr(v.find(',') == std::string::npos ? v.size() : v.find(','));
            vol = vol.substr(0, dash + 1) + std::to_string(n);
            v = vol + rest;
        }
        taken.insert(vol);
        conf[k] = v;
        params.erase(k);
    }
    for (const auto& [k, v] : params) {
        if (k.rfind("unused", 0) == 0) {
            continue;  // "ignoring 'unusedN', cannot create/restore with unused volume"
        }
        if (k == "tags") {
            std::string t = unique_tags(v);
            if (!t.empty()) {
                conf[k] = t;
            }
        } else if (is_net_key(k)) {
            conf[k] = normalise_net(v);
        } else if (k == "features") {
            std::string err;
            auto f = parse_property_string(features_format(), v, "features", err);
            conf[k] = f ? print_property_string(features_format(), *f) : v;
        } else {
            conf[k] = v;
        }
    }
    conf["arch"] = get(conf, "arch", "amd64");
    conf["ostype"] = get(conf, "ostype", ostype_from_template(plan.ostemplate));
    if (get(conf, "hostname").empty()) {
        conf["hostname"] = "CT" + std::to_string(vmid);
    }
    if (get(conf, "memory").empty()) {
        conf["memory"] = "512";
    }
    if (get(conf, "swap").empty()) {
        conf["swap"] = "512";
    }
    if (unprivileged == "1") {
        conf["unprivileged"] = "1";
    }
    return plan;
}

Container& Cluster::reserve(const std::string& node, int vmid) {
    Container ct;
    ct.vmid = vmid;
    ct.node = node;
    ct.conf.values["lock"] = "create";
    return cts_[vmid] = std::move(ct);
}

void Cluster::commit_create(Container& ct, CreatePlan plan) {
    ct.conf = std::move(plan.conf);
    ct.pool = plan.pool;
}

void Cluster::remove(int vmid) {
    cts_.erase(vmid);
}

void Cluster::cleanup_pending(CtConfig& conf) {
    for (auto it = conf.pending.begin(); it != conf.pending.end();) {
        if (it->first != "delete") {
            auto cur = conf.values.find(it->first);
            if (cur != conf.values.end() && cur->second == it->second) {
                it = conf.pending.erase(it);
                continue;
            }
        }
        ++it;
    }
    for (const auto& k : conf.pending_deletes()) {
        if (conf.values.count(k) == 0) {
            conf.remove_pending_delete(k);
        }
    }
}

void Cluster::apply_pending(Container& ct, const std::set<std::string>* selection) {
    CtConfig& conf = ct.conf;
    for (const auto& k : conf.pending_deletes()) {
        if (selection != nullptr && selection->count(k) == 0) {
            continue;
        }
        if (k.rfind("mp", 0) == 0 && is_mount_key(k)) {
            // A removed mount point's volume becomes an unused disk.
            std::string vol = conf.values[k].substr(0, conf.values[k].find(','));
            for (int i = 0; i < kMaxUnused; ++i) {
                std::string u = "unused" + std::to_string(i);
                if (conf.values.count(u) == 0) {
                    conf.values[u] = vol;
                    break;
                }
            }
        }
        conf.values.erase(k);
        conf.remove_pending_delete(k);
    }
    cleanup_pending(conf);
    std::vector<std::string> keys;
    for (const auto& [k, v] : conf.pending) {
        if (k != "delete" && (selection == nullptr || selection->count(k) != 0)) {
            keys.push_back(k);
        }
    }
    for (const auto& k : keys) {
        std::string v = conf.pending[k];
        if (is_net_key(k)) {
            v = normalise_net(v);
        } else if (is_mount_key(k)) {
            v = create_mount(ct.vmid, k, v, "local", false);
        }
        conf.values[k] = v;
        conf.pending.erase(k);
    }
}

void Cluster::hotplug_pending(Container& ct, const std::set<std::string>& selection) {
    CtConfig& conf = ct.conf;
    std::vector<std::string> keys;
    for (const auto& [k, v] : conf.pending) {
        if (k != "delete" && selection.count(k) != 0 && is_fastplug(k)) {
            keys.push_back(k);
        }
    }
    for (const auto& k : keys) {
        conf.values[k] = conf.pending[k];
        conf.pending.erase(k);
    }
    for (const auto& k : conf.pending_deletes()) {
        if (selection.count(k) == 0 || !is_hot_delete(k)) {
            continue;  // stays pending until the next start
        }
        conf.values.erase(k);
        conf.remove_pending_delete(k);
    }
    keys.clear();
    for (const auto& [k, v] : conf.pending) {
        if (k == "delete" || selection.count(k) == 0) {
            continue;
        }
        bool new_mount = k.rfind("mp", 0) == 0 && is_mount_key(k) && conf.values.count(k) == 0;
        if (is_hotplug(k) || new_mount) {
            keys.push_back(k);
        }
    }
    for (const auto& k : keys) {
        std::string v = conf.pending[k];
        if (is_net_key(k)) {
            v = normalise_net(v);
        } else if (is_mount_key(k)) {
            v = create_mount(ct.vmid, k, v, "local", false);
        }
        conf.values[k] = v;
        conf.pending.erase(k);
    }
}

void Cluster::apply_all_pending(Container& ct) {
    apply_pending(ct, nullptr);
    cleanup_pending(ct.conf);
    ct.conf.pending.erase("delete");
}

void Cluster::update_config(Container& ct, const Params& params,
                            const std::vector<std::string>& deletes,
                            const std::vector<std::string>& reverts, const std::string& digest) {
    check_lock(ct);
    if (!digest.empty() && digest != ct.conf.digest()) {
        die("detected modified configuration - file changed by other user? Try again.");
    }
    CtConfig conf = ct.conf;  // all-or-nothing: work on a copy
    std::set<std::string> modified;
    for (const auto& k : reverts) {
        conf.pending.erase(k);
        conf.remove_pending_delete(k);
    }
    for (const auto& k : deletes) {
        if (conf.values.count(k) == 0 && conf.pending.count(k) == 0) {
            continue;  // "cannot delete 'k' - not set in current configuration!" (a warning)
        }
        modified.insert(k);
        if (k == "memory" || k == "rootfs" || k == "ostype") {
            die("unable to delete required option '" + k + "'");
        }
        if (k == "unprivileged") {
            die("unable to delete read-only option: 'unprivileged'");
        }
        conf.add_pending_delete(k);
    }
    for (const auto& [k, v] : params) {
        modified.insert(k);
        std::string value = v;
        if (k == "unprivileged") {
            die("unable to modify read-only option: 'unprivileged'");
        } else if (k == "tags") {
            value = unique_tags(v);
        } else if (is_net_key(k)) {
            std::string err;
            if (!parse_property_string(net_format(), v, "", err)) {
                die(err);
            }
        } else if (is_mount_key(k)) {
            std::string err;
            if (!parse_property_string(k == "rootfs" ? rootfs_format() : mp_format(), v, k, err)) {
                die(err);
            }
        }
        conf.pending[k] = value;
        conf.remove_pending_delete(k);
    }
    cleanup_pending(conf);
    Container work = ct;
    work.conf = std::move(conf);
    if (ct.running) {
        hotplug_pending(work, modified);
    } else {
        apply_pending(work, &modified);
    }
    ct.conf = std::move(work.conf);
}

void Cluster::set_running(Container& ct, bool running, std::int64_t now) {
    ct.running = running;
    if (running) {
        ct.started_at = now;
        static std::uint32_t next_pid = 200000;
        ct.pid = next_pid++;
    } else {
        ct.started_at = 0;
        ct.pid = 0;
    }
}

void Cluster::unlock(Container& ct) {
    ct.conf.values.erase("lock");
}

void Cluster::snapshot_prepare(Container& ct, const std::string& name) {
    check_lock(ct);
    if (ct.conf.snapshots.count(name) != 0) {
        die("snapshot name '" + name + "' already used");
    }
    ct.conf.values["lock"] = "snapshot";
}

void Cluster::snapshot_commit(Container& ct, const std::string& name,
                              const std::string& description, std::int64_t now) {
    unlock(ct);
    ConfigMap snap;
    for (const auto& [k, v] : ct.conf.values) {
        if (k == "lock" || k == "description" || k == "snaptime" || k.rfind("unused", 0) == 0) {
            continue;
        }
        snap[k] = v;
    }
    snap["snaptime"] = std::to_string(now);
    if (!description.empty()) {
        snap["description"] = description;
    }
    ct.conf.snapshots[name] = std::move(snap);
    ct.conf.values["parent"] = name;
}

void Cluster::rollback_prepare(Container& ct, const std::string& name) {
    check_lock(ct);
    if (ct.conf.snapshots.count(name) == 0) {
        die("snapshot '" + name + "' does not exist");
    }
    ct.conf.values["lock"] = "rollback";
}

void Cluster::rollback_commit(Container& ct, const std::string& name) {
    const ConfigMap& snap = ct.conf.snapshots.at(name);
    ConfigMap next;
    for (const auto& [k, v] : ct.conf.values) {
        if (k == "description" || k.rfind("unused", 0) == 0) {
            next[k] = v;
        }
    }
    for (const auto& [k, v] : snap) {
        if (k == "snaptime" || k == "description" || k == "lock" || k == "snapstate") {
            continue;
        }
        next[k] = v;
    }
    next["parent"] = name;
    ct.conf.values = std::move(next);
    ct.conf.pending.clear();
}

void Cluster::delsnapshot_prepare(Container& ct, const std::string& name, bool force) {
    (void)force;
    check_lock(ct);
    if (ct.conf.snapshots.count(name) == 0) {
        die("snapshot '" + name + "' does not exist");
    }
    ct.conf.values["lock"] = "snapshot-delete";
}

void Cluster::delsnapshot_commit(Container& ct, const std::string& name) {
    unlock(ct);
    auto it = ct.conf.snapshots.find(name);
    if (it == ct.conf.snapshots.end()) {
        return;
    }
    std::string parent = get(it->second, "parent");
    ct.conf.snapshots.erase(it);
    auto reparent = [&](ConfigMap& m) {
        if (get(m, "parent") == name) {
            if (parent.empty()) {
                m.erase("parent");
            } else {
                m["parent"] = parent;
            }
        }
    };
    reparent(ct.conf.values);
    for (auto& [n, snap] : ct.conf.snapshots) {
        reparent(snap);
    }
}

ResizePlan Cluster::resize_prepare(Container& ct, const std::string& disk, const std::string& size,
                                   const std::string& digest) {
    check_lock(ct);
    if (!digest.empty() && digest != ct.conf.digest()) {
        die("detected modified configuration - file changed by other user? Try again.");
    }
    std::string err;
    auto value = ct.conf.values.find(disk);
    auto mp = parse_property_string(disk == "rootfs" ? rootfs_format() : mp_format(),
                                    value == ct.conf.values.end() ? "" : value->second, "", err);
    if (!mp) {
        die(err);
    }
    ResizePlan plan;
    plan.disk = disk;
    plan.volume = (*mp)["volume"];
    plan.old_size = parse_size(get(*mp, "size", "0")).value_or(0);
    bool extend = !size.empty() && size[0] == '+';
    auto requested = parse_size(extend ? size.substr(1) : size).value_or(0);
    plan.new_size = extend ? plan.old_size + requested : requested;
    if (plan.new_size < plan.old_size) {
        die("unable to shrink disk size");
    }
    if (plan.new_size == plan.old_size) {
        die("disk is already at specified size");
    }
    return plan;
}

void Cluster::resize_commit(Container& ct, const ResizePlan& plan) {
    unlock(ct);
    auto it = ct.conf.values.find(plan.disk);
    if (it == ct.conf.values.end()) {
        return;
    }
    const Format& fmt = plan.disk == "rootfs" ? rootfs_format() : mp_format();
    std::string err;
    auto mp = parse_property_string(fmt, it->second, "", err);
    if (!mp) {
        return;
    }
    (*mp)["size"] = format_size(plan.new_size);
    it->second = print_property_string(fmt, *mp);
}

std::uint64_t Cluster::rootfs_size(const Container& ct) const {
    auto it = ct.conf.values.find("rootfs");
    if (it == ct.conf.values.end()) {
        return 0;
    }
    std::string err;
    auto mp = parse_property_string(rootfs_format(), it->second, "", err);
    if (!mp || mp->count("size") == 0) {
        return 0;
    }
    return parse_size((*mp)["size"]).value_or(0);
}

boost::json::object Cluster::vmstatus(const Container& ct, std::int64_t now) const {
    const ConfigMap& c = ct.conf.values;
    boost::json::object d;
    d["vmid"] = ct.vmid;
    std::string name = get(c, "hostname", "CT" + std::to_string(ct.vmid));
    d["name"] = name;
    d["status"] = ct.running ? "running" : "stopped";
    d["type"] = "lxc";
    std::uint64_t maxmem = std::stoull(get(c, "memory", "512")) * kMiB;
    std::uint64_t maxswap = std::stoull(get(c, "swap", "512")) * kMiB;
    std::uint64_t maxdisk = rootfs_size(ct);
    d["maxmem"] = maxmem;
    d["maxswap"] = maxswap;
    d["maxdisk"] = maxdisk;
    std::string cores = get(c, "cores");
    std::string cpulimit = get(c, "cpulimit");
    if (!cores.empty()) {
        d["cpus"] = std::stoll(cores);
    } else if (!cpulimit.empty() && cpulimit != "0") {
        d["cpus"] = std::strtod(cpulimit.c_str(), nullptr);
    } else {
        d["cpus"] = kNodeCpus;
    }
    std::int64_t uptime = ct.running ? std::max<std::int64_t>(0, now - ct.started_at) : 0;
    d["uptime"] = uptime;
    d["cpu"] = ct.running ? boost::json::value(0.0123) : boost::json::value(0);
    d["mem"] = ct.running ? maxmem / 8 : 0;
    d["swap"] = 0;
    d["disk"] = ct.running ? maxdisk / 10 : 0;
    d["netin"] = ct.running ? uptime * 1200 : 0;
    d["netout"] = ct.running ? uptime * 800 : 0;
    d["diskread"] = ct.running ? 52428800 : 0;
    d["diskwrite"] = ct.running ? uptime * 4096 : 0;
    if (ct.running) {
        d["pid"] = ct.pid;
    }
    if (auto l = c.find("lock"); l != c.end()) {
        d["lock"] = l->second;
    }
    if (auto t = c.find("tags"); t != c.end()) {
        d["tags"] = t->second;
    }
    if (get(c, "template") == "1") {
        d["template"] = 1;
    }
    return d;
}

boost::json::object Cluster::node_entry(const NodeState& n, std::int64_t now, bool stats) const {
    boost::json::object o;
    o["node"] = n.name;
    o["id"] = "node/" + n.name;
    o["type"] = "node";
    o["status"] = n.online ? "online" : "offline";
    if (stats && n.online) {
        o["level"] = "";
        o["maxcpu"] = kNodeCpus;
        o["cpu"] = 0.0271;
        o["maxmem"] = kNodeMem;
        std::uint64_t used = 2 * kGiB;
        for (const auto& [vmid, ct] : cts_) {
            if (ct.node == n.name && ct.running) {
                used += std::stoull(get(ct.conf.values, "memory", "512")) * kMiB / 8;
            }
        }
        o["mem"] = std::min(used, kNodeMem);
        o["maxdisk"] = 100 * kGiB;
        o["disk"] = 9 * kGiB;
        o["uptime"] = now - boot_time_;
    }
    return o;
}

boost::json::array Cluster::resources(const std::string& type, std::int64_t now,
                                      bool include_guests) const {
    boost::json::array out;
    if (type.empty() || type == "node") {
        for (const auto& n : nodes_) {
            boost::json::object o = node_entry(n, now, true);
            o["cgroup-mode"] = 2;
            out.push_back(std::move(o));
        }
    }
    if ((type.empty() || type == "vm") && include_guests) {
        for (const auto& [vmid, ct] : cts_) {
            const NodeState* n = node(ct.node);
            bool online = n != nullptr && n->online;
            boost::json::object s = vmstatus(ct, now);
            boost::json::object o;
            o["id"] = "lxc/" + std::to_string(vmid);
            o["type"] = "lxc";
            o["vmid"] = vmid;
            o["node"] = ct.node;
            o["name"] = s["name"];
            // pvestatd of an unreachable node reports nothing: the status is unknown.
            o["status"] = online ? s["status"] : boost::json::value("unknown");
            o["template"] = s.contains("template") ? 1 : 0;
            o["maxmem"] = s["maxmem"];
            o["maxdisk"] = s["maxdisk"];
            o["maxcpu"] = s["cpus"];
            if (online) {
                o["mem"] = s["mem"];
                o["disk"] = s["disk"];
                o["cpu"] = s["cpu"];
                o["uptime"] = s["uptime"];
                o["netin"] = s["netin"];
                o["netout"] = s["netout"];
                o["diskread"] = s["diskread"];
                o["diskwrite"] = s["diskwrite"];
            }
            if (s.contains("lock")) {
                o["lock"] = s["lock"];
            }
            if (s.contains("tags")) {
                o["tags"] = s["tags"];
            }
            if (!ct.pool.empty()) {
                o["pool"] = ct.pool;
            }
            out.push_back(std::move(o));
        }
    }
    if (type.empty() || type == "storage") {
        for (const auto& n : nodes_) {
            for (const auto& st : storages_) {
                boost::json::object o;
                o["id"] = "storage/" + n.name + "/" + st.id;
                o["type"] = "storage";
                o["node"] = n.name;
                o["storage"] = st.id;
                o["status"] = n.online ? "available" : "unknown";
                o["plugintype"] = st.type;
                std::string content;
                for (const auto& c : st.content) {
                    content += (content.empty() ? "" : ",") + c;
                }
                o["content"] = content;
                o["shared"] = 0;
                o["maxdisk"] = st.total;
                o["disk"] = st.total / 20;
                out.push_back(std::move(o));
            }
        }
    }
    return out;
}

boost::json::array Cluster::snapshot_list(const Container& ct) const {
    boost::json::array out;
    for (const auto& [name, snap] : ct.conf.snapshots) {
        boost::json::object o;
        o["name"] = name;
        o["snaptime"] = std::stoll(get(snap, "snaptime", "0"));
        o["description"] = get(snap, "description");
        if (auto p = snap.find("parent"); p != snap.end()) {
            o["parent"] = p->second;
        }
        out.push_back(std::move(o));
    }
    boost::json::object current;
    current["name"] = "current";
    current["description"] = "You are here!";
    current["digest"] = ct.conf.digest();
    current["running"] = ct.running ? 1 : 0;
    if (auto p = ct.conf.values.find("parent"); p != ct.conf.values.end()) {
        current["parent"] = p->second;
    }
    out.push_back(std::move(current));
    return out;
}

boost::json::array Cluster::pending_list(const Container& ct) const {
    boost::json::array out;
    std::set<std::string> keys;
    for (const auto& [k, v] : ct.conf.values) {
        keys.insert(k);
    }
    for (const auto& [k, v] : ct.conf.pending) {
        if (k != "delete") {
            keys.insert(k);
        }
    }
    auto deletes = ct.conf.pending_deletes();
    for (const auto& k : deletes) {
        keys.insert(k);
    }
    boost::json::object current = config_json(ct.conf.values);
    boost::json::object pending = config_json(ct.conf.pending);
    for (const auto& k : keys) {
        if (k == "digest" || k == "lock" || k == "parent" || k == "snaptime") {
            continue;
        }
        boost::json::object o;
        o["key"] = k;
        if (current.contains(k)) {
            o["value"] = current[k];
        }
        if (pending.contains(k)) {
            o["pending"] = pending[k];
        }
        if (deletes.count(k) != 0) {
            o["delete"] = 1;
        }
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace pvesim
