#include "hosts/proxmox/proxmox_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "hosts/proxmox/ct_changes.h"
#include "hosts/proxmox/json_fields.h"
#include "hosts/proxmox/resources.h"

namespace chainvisor::hosts::proxmox {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr int kMinVmid = 100;
constexpr int kMaxVmid = 999'999'999;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string markerText(const plan::OwnerMarker& o) {
    return std::string(kMarkerTag) + ";" + std::string(kClusterTagPrefix) + o.cluster + ";" +
           std::string(kNodeTagPrefix) + o.node;
}

// "Configuration file 'nodes/pve/lxc/100.conf' does not exist": no such CT on that node.
bool missing(const ApiError& e) {
    return e.status == 500 && e.mentions("Configuration file") && e.mentions("does not exist");
}

plan::PowerState powerOf(const std::string& status) {
    if (status == "running") {
        return plan::PowerState::Running;
    }
    if (status == "stopped") {
        return plan::PowerState::Stopped;
    }
    return plan::PowerState::Unknown;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        out += (out.empty() ? "" : ", ") + i;
    }
    return out;
}

}  // namespace

ProxmoxHostOptions proxmoxHostOptions(const spec::Host& host, const std::string& clusterName,
                                      std::string tokenSecret) {
    ProxmoxHostOptions o;
    o.name = host.name;
    o.pveNodes = host.pveNodes;
    o.clusterName = clusterName;
    if (host.api) {
        o.api.basePath = apiBasePath(host.api->url);
        o.api.tokenId = host.api->tokenId;
    }
    o.api.tokenSecret = std::move(tokenSecret);
    return o;
}

ProxmoxHost::ProxmoxHost(ProxmoxHostOptions options, net::HttpClient& http, Timing& timing,
                         std::map<std::string, ContainerEntry*> entries)
    : options_(std::move(options)),
      timing_(timing),
      api_(options_.api, http, timing),
      entries_(std::move(entries)) {
    options_.api.tokenSecret.clear();  // the API client keeps the only copy
}

bool ProxmoxHost::entersContainers() const {
    if (entries_.empty() || options_.pveNodes.empty()) {
        return false;
    }
    return std::all_of(options_.pveNodes.begin(), options_.pveNodes.end(),
                       [&](const std::string& node) { return entries_.contains(node); });
}

std::string ProxmoxHost::where(int vmid) const {
    return options_.name + ": CT " + std::to_string(vmid);
}

Error ProxmoxHost::fail(int vmid, const Error& error) const {
    return Error{error.kind, api_.redact(where(vmid) + ": " + error.message)};
}

Error ProxmoxHost::fail(const Error& error) const {
    return Error{error.kind, api_.redact(options_.name + ": " + error.message)};
}

bool ProxmoxHost::manages(const std::string& pveNode) const {
    return options_.pveNodes.empty() ||
           std::find(options_.pveNodes.begin(), options_.pveNodes.end(), pveNode) !=
               options_.pveNodes.end();
}

std::string ProxmoxHost::ctPath(const std::string& node, int vmid) {
    return "/nodes/" + percentEncode(node) + "/lxc/" + std::to_string(vmid);
}

void ProxmoxHost::remember(int vmid, const std::string& node) {
    std::lock_guard guard(mutex_);
    locations_[vmid] = node;
    cache_.invalidate(vmid);
}

void ProxmoxHost::forget(int vmid) {
    std::lock_guard guard(mutex_);
    locations_.erase(vmid);
    seen_.erase(vmid);
    cache_.invalidate(vmid);
}

// ---------------------------------------------------------------------------------------------
// Observation

Result<plan::ObservedHost> ProxmoxHost::observe() {
    auto listing = api_.get("/cluster/resources", Form().text("type", "vm"));
    if (!listing) {
        return fail(listing.error().error);
    }
    if (!listing.data().is_array()) {
        return fail(Error::transient("GET /cluster/resources: the answer is not a list"));
    }
    auto nodesAnswer = api_.get("/nodes");
    if (!nodesAnswer) {
        return fail(nodesAnswer.error().error);
    }

    plan::ObservedHost host;
    host.name = options_.name;
    host.reachable = true;
    host.containersOnly = !entersContainers();
    std::set<std::string> online;
    std::set<std::string> known;
    for (const auto& n : parseNodes(nodesAnswer.data())) {
        known.insert(n.node);
        if (n.status == "online") {
            online.insert(n.node);
        }
    }
    for (const auto& n : options_.pveNodes) {
        if (!online.contains(n)) {
            host.offlinePveNodes.insert(n);
            if (!known.contains(n)) {
                std::lock_guard guard(mutex_);
                if (strangers_.insert(n).second) {
                    spdlog::warn(
                        "{}: pveNode {} is not a member of the Proxmox cluster behind "
                        "this endpoint; treated as offline",
                        options_.name, n);
                }
            }
        }
    }
    if (options_.pveNodes.empty()) {
        for (const auto& n : known) {
            if (!online.contains(n)) {
                host.offlinePveNodes.insert(n);
            }
        }
    }

    std::vector<ResourceEntry> listed;
    for (auto& e : parseResources(listing.data())) {
        if (e.type == "lxc" && manages(e.node)) {
            listed.push_back(std::move(e));
        }
    }

    if (listed.empty()) {
        std::map<int, std::string> seen;
        {
            std::lock_guard guard(mutex_);
            seen = seen_;
        }
        if (!seen.empty()) {
            if (auto confirmed = confirmEmpty(seen, online); !confirmed) {
                return fail(confirmed.error());
            }
        }
    }

    // Configs due this pass (containers on offline nodes cannot be asked: their answers would be
    // 595s from pveproxy; they are blind anyway).
    std::vector<int> due;
    std::map<int, std::uint64_t> epochs;  // of the due entries, before they are read
    std::map<int, const ResourceEntry*> byVmid;
    {
        std::vector<ResourceEntry> reachable;
        for (const auto& e : listed) {
            byVmid[e.vmid] = &e;
            if (online.contains(e.node)) {
                reachable.push_back(e);
            }
        }
        std::lock_guard guard(mutex_);
        due = cache_.due(reachable, options_.configRefreshPerPass);
        for (const int vmid : due) {
            epochs[vmid] = cache_.epoch(vmid);
        }
    }
    std::map<int, CtConfig> fetched;
    for (const int vmid : due) {
        const ResourceEntry& e = *byVmid.at(vmid);
        auto r = api_.get(ctPath(e.node, vmid) + "/config");
        if (r && r.data().is_object()) {
            fetched[vmid] = parseCtConfig(r.data().as_object(), vmid);
            continue;
        }
        const Error error =
            r ? Error::transient("GET " + ctPath(e.node, vmid) + "/config: not an object")
              : r.error().error;
        bool stale = false;
        {
            std::lock_guard guard(mutex_);
            stale = cache_.find(vmid) != nullptr;
        }
        if (!stale || (!r && r.error().transport)) {
            return fail(vmid, error);
        }
        // Otherwise the config seen before stands for this pass; it is due again next pass.
    }

    // "unknown" statuses: confirmed for a few containers per pass.
    std::map<int, std::string> confirmed;
    int checks = 0;
    for (const auto& e : listed) {
        if (e.status == "running" || e.status == "stopped" || !online.contains(e.node) ||
            checks >= options_.statusChecksPerPass) {
            continue;
        }
        ++checks;
        auto r = api_.get(ctPath(e.node, e.vmid) + "/status/current");
        if (r && r.data().is_object()) {
            confirmed[e.vmid] = textField(r.data().as_object(), "status");
        } else if (!r && r.error().transport) {
            return fail(r.error().error);
        }  // otherwise it stays Unknown this pass
    }

    std::lock_guard guard(mutex_);
    std::set<int> listedIds;
    seen_.clear();
    for (const auto& e : listed) {
        listedIds.insert(e.vmid);
        seen_[e.vmid] = e.node;
        locations_[e.vmid] = e.node;
    }
    cache_.keepOnly(listedIds);
    for (auto& [vmid, config] : fetched) {
        if (cache_.epoch(vmid) == epochs.at(vmid)) {
            cache_.store(vmid, config, signatureOf(*byVmid.at(vmid)));
        }
    }

    for (const auto& e : listed) {
        plan::ObservedContainer c;
        c.vmid = e.vmid;
        c.pveNode = e.node;
        c.lock = e.lock;
        const auto st = confirmed.find(e.vmid);
        c.power = powerOf(st == confirmed.end() ? e.status : st->second);
        // This pass's read, else the cached one (a read that raced our own change is used for
        // this pass but not cached).
        const CtConfig* cfgp = nullptr;
        if (auto f = fetched.find(e.vmid); f != fetched.end()) {
            cfgp = &f->second;
        } else if (const auto* cached = cache_.find(e.vmid)) {
            cfgp = &cached->config;
        }
        c.owner = parseMarker(cfgp != nullptr ? cfgp->tags : e.tags).owner;
        const int listedCores = static_cast<int>(std::lround(e.maxcpu));
        if (cfgp != nullptr) {
            const CtConfig& cfg = *cfgp;
            c.hostname = cfg.hostname;
            c.resources.cores = cfg.cores.value_or(listedCores);
            c.resources.memoryMiB = cfg.memoryMiB;
            c.resources.swapMiB = cfg.swapMiB;
            c.resources.diskGiB = cfg.diskGiB.value_or(static_cast<int>(e.maxdisk / kGiB));
            c.ip = cfg.ip;
            c.gateway = cfg.gateway;
            c.bridge = cfg.bridge;
        } else {  // on an offline node, never read: what the listing knows
            c.hostname = lower(e.name);
            c.resources.cores = listedCores;
            c.resources.memoryMiB = static_cast<int>(e.maxmem / kMiB);
            c.resources.swapMiB = 0;
            c.resources.diskGiB = static_cast<int>(e.maxdisk / kGiB);
        }
        host.containers.push_back(std::move(c));
    }
    std::sort(host.containers.begin(), host.containers.end(),
              [](const auto& a, const auto& b) { return a.vmid < b.vmid; });
    return host;
}

Result<void> ProxmoxHost::confirmEmpty(const std::map<int, std::string>& seen,
                                       const std::set<std::string>& online) {
    const std::string blind = "the API listed no containers where " + std::to_string(seen.size()) +
                              " were seen before; the token may lack VM.Audit (Proxmox filters "
                              "lists silently) - not trusting the empty list";
    int asked = 0;
    for (const auto& [vmid, node] : seen) {
        if (asked >= options_.emptyListChecks) {
            break;
        }
        if (!online.contains(node)) {
            continue;
        }
        ++asked;
        auto r = api_.get(ctPath(node, vmid) + "/status/current");
        if (r) {
            return Error::transient(blind + " (CT " + std::to_string(vmid) + " still answers)");
        }
        const ApiError& e = r.error();
        if (e.status == 403) {
            return Error::permanent(blind + " (" + e.reason + ")");
        }
        if (!missing(e)) {
            return e.error;
        }
    }
    if (asked == 0) {
        return Error::transient(blind + " (no container seen before is on an online node)");
    }
    spdlog::info("{}: every container seen before is gone ({} confirmed)", options_.name, asked);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Looking at one container

Result<std::optional<std::string>> ProxmoxHost::findNode(int vmid) {
    auto listing = api_.get("/cluster/resources", Form().text("type", "vm"));
    if (!listing) {
        return listing.error().error;
    }
    for (const auto& e : parseResources(listing.data())) {
        if (e.vmid == vmid) {
            return std::optional<std::string>(e.node);
        }
    }
    return std::optional<std::string>();
}

Result<std::optional<ProxmoxHost::Located>> ProxmoxHost::inspect(int vmid, std::string hint,
                                                                 bool searchElsewhere) {
    if (hint.empty()) {
        std::lock_guard guard(mutex_);
        if (auto it = locations_.find(vmid); it != locations_.end()) {
            hint = it->second;
        }
    }
    bool searched = false;
    if (hint.empty()) {
        auto node = findNode(vmid);
        if (!node) {
            return node.error();
        }
        if (!node.value()) {
            return std::optional<Located>();
        }
        hint = *node.value();
        searched = true;
    }
    while (true) {
        auto r = api_.get(ctPath(hint, vmid) + "/config");
        if (r) {
            if (!r.data().is_object()) {
                return Error::transient("GET " + ctPath(hint, vmid) + "/config: not an object");
            }
            Located l;
            l.node = hint;
            l.config = parseCtConfig(r.data().as_object(), vmid);
            l.marker = parseMarker(l.config.tags);
            {
                std::lock_guard guard(mutex_);
                locations_[vmid] = hint;
            }
            return std::optional<Located>(std::move(l));
        }
        if (!missing(r.error())) {
            return r.error().error;
        }
        if (searched || !searchElsewhere) {
            return std::optional<Located>();
        }
        auto node = findNode(vmid);
        if (!node) {
            return node.error();
        }
        searched = true;
        if (!node.value() || *node.value() == hint) {
            return std::optional<Located>();
        }
        hint = *node.value();
    }
}

Result<ProxmoxHost::Located> ProxmoxHost::requireOurs(int vmid, const std::string& what) {
    auto l = inspect(vmid, {}, true);
    if (!l) {
        return fail(vmid, l.error());
    }
    if (!l.value()) {
        // Transient: an observation that is behind (a migration, a destroy) sorts itself out.
        return fail(vmid, Error::transient("does not exist; cannot " + what));
    }
    if (auto ours = checkOurs(vmid, *l.value(), what); !ours) {
        return ours.error();
    }
    return std::move(*l.value());
}

Result<void> ProxmoxHost::checkOurs(int vmid, const Located& located,
                                    const std::string& what) const {
    if (!manages(located.node)) {
        return fail(vmid, Error::permanent("is on " + located.node +
                                           ", which is not one of this host's pveNodes; "
                                           "refusing to " +
                                           what));
    }
    const auto& owner = located.marker.owner;
    if (!owner) {
        const std::string tags = located.config.tags.empty() ? "none" : located.config.tags;
        return fail(vmid, Error::permanent("on " + located.node +
                                           " has no chainvisor marker (tags: " + tags +
                                           "): not created by chainvisor; refusing to " + what +
                                           " (adopt: true takes it over)"));
    }
    if (owner->cluster != options_.clusterName) {
        return fail(vmid, Error::permanent("on " + located.node + " belongs to " +
                                           ownerText(*owner) + "; refusing to " + what));
    }
    return {};
}

Result<void> ProxmoxHost::requireUnlocked(int vmid, const Located& located) const {
    if (located.config.lock.empty()) {
        return {};
    }
    return fail(vmid, Error::transient("is locked (" + located.config.lock +
                                       "); waiting for it to clear (a lock left behind by a crash "
                                       "is cleared with `pct unlock " +
                                       std::to_string(vmid) + "` on " + located.node + ")"));
}

Result<void> ProxmoxHost::runTask(int vmid, const ApiResult& started,
                                  std::optional<milliseconds> deadline) {
    if (!started) {
        return fail(vmid, started.error().error);
    }
    if (started.data().is_null()) {
        return {};  // done synchronously (older Proxmox answers resize with null)
    }
    if (auto w = waitForTask(api_, timing_, started.data(), options_.tasks, deadline); !w) {
        return fail(vmid, w.error());
    }
    return {};
}

Result<std::string> ProxmoxHost::currentStatus(const std::string& node, int vmid) {
    auto r = api_.get(ctPath(node, vmid) + "/status/current");
    if (!r) {
        return r.error().error;
    }
    const auto* o = r.data().if_object();
    return o != nullptr ? textField(*o, "status") : std::string();
}

Result<void> ProxmoxHost::confirmStatus(const std::string& node, int vmid,
                                        const std::string& wanted) {
    const auto since = timing_.now();
    const auto until = since + options_.confirmTimeout;
    while (true) {
        auto s = currentStatus(node, vmid);
        if (!s) {
            return fail(vmid, s.error());
        }
        if (s.value() == wanted) {
            return {};
        }
        if (timing_.now() >= until) {
            return fail(vmid, Error::transient("still " + s.value() + " " +
                                               secondsText(options_.confirmTimeout) +
                                               " after its task finished (wanted " + wanted + ")"));
        }
        timing_.sleep(pollDelay(options_.tasks, timing_.now() - since));
    }
}

Result<std::vector<std::string>> ProxmoxHost::snapshotNames(const std::string& node, int vmid) {
    auto r = api_.get(ctPath(node, vmid) + "/snapshot");
    if (!r) {
        return fail(vmid, r.error().error);
    }
    std::vector<std::string> names;
    if (const auto* list = r.data().if_array()) {
        for (const auto& item : *list) {
            if (const auto* o = item.if_object()) {
                const std::string n = textField(*o, "name");
                if (!n.empty() && n != "current") {
                    names.push_back(n);
                }
            }
        }
    }
    return names;
}

// ---------------------------------------------------------------------------------------------
// Create

Result<void> ProxmoxHost::alreadyThere(const ContainerSpec& spec, const Located& located) {
    const int vmid = spec.vmid;
    if (located.node != spec.pveNode) {
        return fail(vmid, Error::permanent("already exists on " + located.node + ", not on " +
                                           spec.pveNode + "; choose another vmid or move it"));
    }
    const auto& owner = located.marker.owner;
    if (!owner) {
        const std::string tags = located.config.tags.empty() ? "none" : located.config.tags;
        return fail(vmid, Error::permanent("already exists on " + located.node +
                                           " and was not created by chainvisor (tags: " + tags +
                                           "); choose another vmid, or set adopt: true"));
    }
    if (owner->cluster != spec.owner.cluster || owner->node != spec.owner.node) {
        return fail(vmid,
                    Error::permanent("already exists on " + located.node + " and belongs to " +
                                     ownerText(*owner) + ", not to " + ownerText(spec.owner)));
    }
    // Ours. An earlier attempt's task may still be making it: wait for its create lock to go.
    std::string lock = located.config.lock;
    const auto since = timing_.now();
    const auto until = since + options_.tasks.deadline;
    while (lock == "create") {
        if (timing_.now() >= until) {
            return fail(vmid, Error::transient("is still being created (lock: create) after " +
                                               secondsText(options_.tasks.deadline)));
        }
        timing_.sleep(pollDelay(options_.tasks, timing_.now() - since));
        auto again = inspect(vmid, spec.pveNode, false);
        if (!again) {
            return fail(vmid, again.error());
        }
        if (!again.value()) {
            return fail(vmid, Error::transient("an earlier attempt to create it failed and "
                                               "Proxmox removed it; it is created again on the "
                                               "next try"));
        }
        lock = again.value()->config.lock;
    }
    remember(vmid, located.node);
    return {};
}

Result<void> ProxmoxHost::create(const ContainerSpec& spec) {
    const int vmid = spec.vmid;
    if (vmid < kMinVmid || vmid > kMaxVmid) {
        return fail(vmid,
                    Error::permanent("vmid is out of Proxmox's range " + std::to_string(kMinVmid) +
                                     "–" + std::to_string(kMaxVmid)));
    }
    if (spec.pveNode.empty() || !manages(spec.pveNode)) {
        return fail(vmid, Error::permanent("pveNode '" + spec.pveNode +
                                           "' is not one of this host's pveNodes (" +
                                           joined(options_.pveNodes) + ")"));
    }
    if (!taggable(spec.owner.cluster) || !taggable(spec.owner.node)) {
        return fail(vmid,
                    Error::permanent("the owner '" + spec.owner.cluster + "/" + spec.owner.node +
                                     "' cannot be written as Proxmox tags ([a-z0-9_+.-])"));
    }
    if (spec.owner.cluster != options_.clusterName) {
        return fail(vmid,
                    Error::permanent("the spec's owner is cluster " + spec.owner.cluster +
                                     ", but this host serves cluster " + options_.clusterName));
    }
    if (spec.osTemplate.empty()) {
        return fail(vmid, Error::permanent("no osTemplate (defaults.osTemplate or "
                                           "nodes[].osTemplate, e.g. local:vztmpl/"
                                           "debian-12-standard_12.7-1_amd64.tar.zst)"));
    }
    if (spec.storage.empty()) {
        return fail(vmid, Error::permanent("no storage for the root disk"));
    }
    const auto& r = spec.resources;
    if (r.cores < 1 || r.memoryMiB < 16 || r.swapMiB < 0 || r.diskGiB < 1) {
        return fail(vmid, Error::permanent(
                              "resources need cores ≥ 1, memory ≥ 16 MiB, swap ≥ 0, disk ≥ 1 GiB"));
    }
    if (spec.gateway && !spec.ip) {
        return fail(vmid, Error::permanent("a gateway needs an ip"));
    }

    // Made already (an earlier attempt whose answer was lost)?
    auto before = inspect(vmid, spec.pveNode, false);
    if (!before) {
        return fail(vmid, before.error());
    }
    if (before.value()) {
        return alreadyThere(spec, *before.value());
    }

    Form form;
    form.number("vmid", vmid)
        .text("ostemplate", spec.osTemplate)
        .text("hostname", spec.hostname)
        .number("cores", r.cores)
        .number("memory", r.memoryMiB)
        .number("swap", r.swapMiB)
        .text("rootfs", spec.storage + ":" + std::to_string(r.diskGiB))
        .text("net0", net0For(spec))
        .flag("unprivileged", true)
        .text("features", "nesting=1")
        .flag("onboot", true)
        .text("tags", markerText(spec.owner));
    auto posted = api_.post("/nodes/" + percentEncode(spec.pveNode) + "/lxc", form);
    Result<void> outcome = runTask(vmid, posted);
    if (outcome) {
        remember(vmid, spec.pveNode);
        spdlog::debug("{}: created on {}", where(vmid), spec.pveNode);
        return {};
    }
    // After any failure, look again: an "already exists", a lost answer or a failed task may
    // all hide a container that is there, ours or not.
    if (!posted && posted.error().transport) {
        return outcome;  // unreachable: the next attempt looks first
    }
    auto after = inspect(vmid, spec.pveNode, true);
    if (after && after.value()) {
        return alreadyThere(spec, *after.value());
    }
    return outcome;
}

// ---------------------------------------------------------------------------------------------
// Update, resize

Result<void> ProxmoxHost::update(const ContainerSpec& spec,
                                 const std::vector<plan::FieldChange>& changes) {
    const int vmid = spec.vmid;
    auto classified = classifyChanges(changes, spec.owner, options_.clusterName, "on Proxmox");
    if (!classified) {
        return fail(vmid, classified.error());
    }
    const bool adopt = classified.value().adopt;
    const bool network = classified.value().network;
    const std::vector<std::string>& needStopped = classified.value().needStopped;
    if (changes.empty()) {
        return {};
    }

    bool checkedRunning = false;
    for (int attempt = 1;; ++attempt) {
        auto l = inspect(vmid, spec.pveNode, true);
        if (!l) {
            return fail(vmid, l.error());
        }
        if (!l.value()) {
            return fail(vmid, Error::transient("does not exist; cannot update it"));
        }
        const Located& located = *l.value();
        if (located.node != spec.pveNode) {
            return fail(vmid, Error::permanent("is on " + located.node + ", not on " +
                                               spec.pveNode + "; refusing to update it"));
        }
        if (auto updatable = checkUpdatable(located.marker, located.config.tags, spec.owner,
                                            options_.clusterName, adopt);
            !updatable) {
            return fail(vmid, updatable.error());
        }
        if (auto u = requireUnlocked(vmid, located); !u) {
            return u;
        }
        if (!needStopped.empty() && !checkedRunning) {
            auto s = currentStatus(located.node, vmid);
            if (!s) {
                return fail(vmid, s.error());
            }
            if (auto stopped = checkStopped(classified.value(), s.value()); !stopped) {
                return fail(vmid, stopped.error());
            }
            checkedRunning = true;
        }

        Form form;
        bool any = false;
        for (const auto& c : changes) {
            if (c.field == "memory") {
                form.number("memory", spec.resources.memoryMiB);
            } else if (c.field == "swap") {
                form.number("swap", spec.resources.swapMiB);
            } else if (c.field == "cores") {
                form.number("cores", spec.resources.cores);
            } else if (c.field == "hostname") {
                form.text("hostname", spec.hostname);
            } else {
                continue;
            }
            any = true;
        }
        if (network) {
            form.text("net0", net0Updated(located.config.net0.empty() ? std::string("name=eth0")
                                                                      : located.config.net0,
                                          spec));
            any = true;
        }
        if (adopt) {
            const std::string tags = tagsWithMarker(located.config.tags, spec.owner);
            if (splitTags(tags) != splitTags(located.config.tags)) {
                form.text("tags", tags);
                any = true;
            }
        }
        if (!any) {
            return {};
        }
        if (!located.config.digest.empty()) {
            form.text("digest", located.config.digest);
        }
        auto put = api_.put(ctPath(located.node, vmid) + "/config", form);
        remember(vmid, located.node);
        if (put) {
            spdlog::debug("{}: updated ({} field(s){})", where(vmid), changes.size(),
                          adopt ? ", marked as ours" : "");
            return {};
        }
        const bool conflict = put.error().mentions("detected modified configuration") ||
                              put.error().params.contains("digest");
        if (!conflict || attempt >= options_.digestRetries) {
            Error e = put.error().error;
            if (conflict) {
                e.kind = ErrorKind::Transient;  // changed by someone else: try again later
            }
            return fail(vmid, e);
        }
    }
}

Result<void> ProxmoxHost::resizeDisk(int vmid, int diskGiB) {
    if (diskGiB <= 0) {
        return fail(vmid,
                    Error::permanent("disk size must be positive, not " + std::to_string(diskGiB)));
    }
    auto l = requireOurs(vmid, "resize its disk");
    if (!l) {
        return l.error();
    }
    if (auto u = requireUnlocked(vmid, l.value()); !u) {
        return u;
    }
    if (const auto current = l.value().config.diskGiB) {
        if (diskGiB < *current) {
            return fail(
                vmid, Error::permanent("the root disk cannot shrink (" + std::to_string(*current) +
                                       " → " + std::to_string(diskGiB) + " GiB)"));
        }
        if (diskGiB == *current) {
            return {};
        }
    }
    auto started =
        api_.put(ctPath(l.value().node, vmid) + "/resize",
                 Form().text("disk", "rootfs").text("size", std::to_string(diskGiB) + "G"));
    auto done = runTask(vmid, started);
    remember(vmid, l.value().node);
    if (done) {
        spdlog::debug("{}: root disk resized to {} GiB", where(vmid), diskGiB);
    }
    return done;
}

// ---------------------------------------------------------------------------------------------
// Power

Result<void> ProxmoxHost::start(int vmid) {
    auto l = requireOurs(vmid, "start it");
    if (!l) {
        return l.error();
    }
    if (auto u = requireUnlocked(vmid, l.value()); !u) {
        return u;
    }
    const std::string& node = l.value().node;
    auto started = api_.post(ctPath(node, vmid) + "/status/start");
    if (!started && started.error().mentions("already running")) {
        return {};
    }
    if (auto done = runTask(vmid, started); !done) {
        if (done.error().message.find("already running") == std::string::npos) {
            return done;
        }
    }
    if (auto c = confirmStatus(node, vmid, "running"); !c) {
        return c;
    }
    spdlog::debug("{}: started", where(vmid));
    return {};
}

Result<void> ProxmoxHost::stop(int vmid, std::chrono::seconds grace) {
    auto l = requireOurs(vmid, "stop it");
    if (!l) {
        return l.error();
    }
    if (auto u = requireUnlocked(vmid, l.value()); !u) {
        return u;
    }
    const std::string& node = l.value().node;
    auto notRunning = [](const Error& e) {
        return e.message.find("not running") != std::string::npos;
    };
    auto shutdown = api_.post(ctPath(node, vmid) + "/status/shutdown",
                              Form().number("timeout", grace.count()).flag("forceStop", true));
    if (!shutdown) {
        if (shutdown.error().mentions("not running")) {
            return {};
        }
        return fail(vmid, shutdown.error().error);  // not started: the next attempt is graceful too
    }
    // The shutdown task itself waits `grace` before it forces the stop.
    const milliseconds deadline = std::max<milliseconds>(options_.tasks.deadline, grace + 60s);
    if (auto done = runTask(vmid, shutdown, deadline); !done && !notRunning(done.error())) {
        spdlog::warn("{}; stopping it hard", done.error().message);
        auto hard = api_.post(ctPath(node, vmid) + "/status/stop");
        if (!hard && hard.error().mentions("not running")) {
            return {};
        }
        if (auto h = runTask(vmid, hard); !h && !notRunning(h.error())) {
            return h;
        }
    }
    if (auto c = confirmStatus(node, vmid, "stopped"); !c) {
        return c;
    }
    spdlog::debug("{}: stopped", where(vmid));
    return {};
}

// ---------------------------------------------------------------------------------------------
// Snapshots, destroy

Result<void> ProxmoxHost::snapshot(int vmid, const std::string& name) {
    if (auto valid = checkSnapshotName(name); !valid) {
        return fail(vmid, valid.error());
    }
    auto l = requireOurs(vmid, "snapshot it");
    if (!l) {
        return l.error();
    }
    if (auto u = requireUnlocked(vmid, l.value()); !u) {
        return u;
    }
    const std::string& node = l.value().node;
    auto has = [&]() -> Result<bool> {
        auto names = snapshotNames(node, vmid);
        if (!names) {
            return names.error();
        }
        return std::find(names.value().begin(), names.value().end(), name) != names.value().end();
    };
    auto before = has();
    if (!before) {
        return before.error();
    }
    if (before.value()) {
        return {};
    }
    auto started = api_.post(ctPath(node, vmid) + "/snapshot", Form().text("snapname", name));
    auto done = runTask(vmid, started);
    if (!done) {
        if (started || !started.error().transport) {
            if (auto after = has(); after && after.value()) {
                return {};
            }
        }
        return done;
    }
    spdlog::debug("{}: snapshot {} taken", where(vmid), name);
    return {};
}

Result<void> ProxmoxHost::rollback(int vmid, const std::string& name) {
    if (auto valid = checkSnapshotName(name); !valid) {
        return fail(vmid, valid.error());
    }
    auto l = requireOurs(vmid, "roll it back");
    if (!l) {
        return l.error();
    }
    if (auto u = requireUnlocked(vmid, l.value()); !u) {
        return u;
    }
    const std::string& node = l.value().node;
    auto names = snapshotNames(node, vmid);
    if (!names) {
        return names.error();
    }
    if (std::find(names.value().begin(), names.value().end(), name) == names.value().end()) {
        return fail(vmid, Error::permanent("has no snapshot named " + name));
    }
    auto started = api_.post(ctPath(node, vmid) + "/snapshot/" + percentEncode(name) + "/rollback");
    auto done = runTask(vmid, started);
    remember(vmid, node);
    if (done) {
        spdlog::debug("{}: rolled back to {}", where(vmid), name);
    }
    return done;
}

Result<void> ProxmoxHost::destroy(int vmid) {
    auto l = inspect(vmid, {}, true);
    if (!l) {
        return fail(vmid, l.error());
    }
    if (!l.value()) {
        forget(vmid);
        return {};  // gone already
    }
    const Located& located = *l.value();
    if (auto ours = checkOurs(vmid, located, "destroy it"); !ours) {
        return ours;
    }
    if (auto u = requireUnlocked(vmid, located); !u) {
        return u;
    }
    const std::string& node = located.node;
    auto started = api_.del(ctPath(node, vmid), Form().flag("purge", true).flag("force", true));
    if (!started && missing(started.error())) {
        forget(vmid);
        return {};
    }
    auto done = runTask(vmid, started);
    if (!done) {
        return done;
    }
    forget(vmid);
    spdlog::debug("{}: destroyed", where(vmid));
    return {};
}

// ---------------------------------------------------------------------------------------------
// Inside containers

Result<ContainerEntry*> ProxmoxHost::entryFor(int vmid, const std::string& what) {
    if (entries_.empty()) {
        return fail(vmid, Error::permanent("cannot " + what +
                                           ": entering containers on Proxmox needs SSH "
                                           "(hosts[].ssh)"));
    }
    // The last observation usually knows where it is and whose it is: no request per command.
    std::optional<std::string> node;
    {
        std::lock_guard guard(mutex_);
        auto at = locations_.find(vmid);
        const auto* cached = cache_.find(vmid);
        if (at != locations_.end() && cached != nullptr) {
            const auto owner = parseMarker(cached->config.tags).owner;
            if (owner && owner->cluster == options_.clusterName && manages(at->second)) {
                node = at->second;
            }
        }
    }
    if (!node) {
        auto located = requireOurs(vmid, what);
        if (!located) {
            return located.error();
        }
        node = located.value().node;
    }
    auto entry = entries_.find(*node);
    if (entry == entries_.end()) {
        return fail(vmid, Error::permanent("cannot " + what + ": no SSH address for " + *node));
    }
    return entry->second;
}

Result<ExecResult> ProxmoxHost::exec(int vmid, const std::vector<std::string>& argv,
                                     milliseconds deadline) {
    auto entry = entryFor(vmid, "run a command in it");
    if (!entry) {
        return entry.error();
    }
    auto r = entry.value()->exec(vmid, argv, deadline);
    if (!r) {
        return fail(vmid, r.error());
    }
    return r;
}

Result<void> ProxmoxHost::writeFile(int vmid, const FileWrite& file) {
    auto entry = entryFor(vmid, "write a file in it");
    if (!entry) {
        return entry.error();
    }
    if (auto w = entry.value()->writeFile(vmid, file); !w) {
        return fail(vmid, w.error());
    }
    return {};
}

}  // namespace chainvisor::hosts::proxmox
