#include "ct_schema.h"

#include <set>

namespace pvesim {

namespace {

Prop boolean(const char* name) {
    Prop p;
    p.name = name;
    p.type = Type::Boolean;
    return p;
}

Prop integer(const char* name, std::optional<double> min, std::optional<double> max) {
    Prop p;
    p.name = name;
    p.type = Type::Integer;
    p.minimum = min;
    p.maximum = max;
    return p;
}

Prop string(const char* name) {
    Prop p;
    p.name = name;
    return p;
}

Prop with_format(Prop p, FormatCheck f) {
    p.format = f;
    return p;
}

Prop enumerated(const char* name, std::vector<std::string> values) {
    Prop p;
    p.name = name;
    p.enumeration = std::move(values);
    return p;
}

Format make_mount_format(bool rootfs) {
    Format f;
    Prop volume = string("volume");
    volume.default_key = true;
    volume.optional = false;
    f.push_back(volume);
    Prop size = with_format(string("size"), &format_disk_size);
    size.disk_size = true;
    f.push_back(size);
    f.push_back(boolean("acl"));
    Prop mountoptions = string("mountoptions");
    mountoptions.pattern =
        "(?:noatime|lazytime|nodev|nosuid|noexec|discard)(?:;(?:noatime|"
        "lazytime|nodev|nosuid|noexec|discard))*";
    f.push_back(mountoptions);
    f.push_back(boolean("quota"));
    f.push_back(boolean("replicate"));
    f.push_back(boolean("ro"));
    f.push_back(boolean("shared"));
    if (!rootfs) {
        Prop mp = string("mp");
        mp.optional = false;
        f.push_back(mp);
        f.push_back(boolean("backup"));
    }
    return f;
}

Format make_net_format() {
    Format f;
    Prop name = string("name");
    name.optional = false;
    name.pattern = "[-_.a-zA-Z0-9]+";
    f.push_back(name);
    f.push_back(with_format(string("bridge"), &format_bridge_id));
    f.push_back(with_format(string("hwaddr"), &format_mac_addr));
    f.push_back(with_format(string("ip"), &format_ipv4_config));
    f.push_back(with_format(string("gw"), &format_ipv4));
    f.push_back(with_format(string("ip6"), &format_ipv6_config));
    f.push_back(with_format(string("gw6"), &format_ipv6));
    f.push_back(boolean("firewall"));
    f.push_back(boolean("link_down"));
    f.push_back(integer("mtu", 64, 65535));
    Prop rate = string("rate");
    rate.type = Type::Number;
    rate.minimum = 0;
    f.push_back(rate);
    f.push_back(integer("tag", 1, 4094));
    Prop trunks = string("trunks");
    trunks.pattern = "[0-9]+(?:-[0-9]+)?(?:;[0-9]+(?:-[0-9]+)?)*";
    f.push_back(trunks);
    f.push_back(enumerated("type", {"veth"}));
    return f;
}

Format make_features_format() {
    Format f;
    f.push_back(boolean("force_rw_sys"));
    f.push_back(boolean("fuse"));
    f.push_back(boolean("keyctl"));
    f.push_back(boolean("mknod"));
    Prop mount = string("mount");
    mount.pattern = "[0-9a-zA-Z_\\-]+(?:;[0-9a-zA-Z_\\-]+)*";
    f.push_back(mount);
    f.push_back(boolean("nesting"));
    return f;
}

Format make_unused_format() {
    Format f;
    Prop volume = with_format(string("volume"), &format_volume_id);
    volume.default_key = true;
    volume.optional = false;
    f.push_back(volume);
    return f;
}

Schema make_config_schema() {
    Schema s;
    s.add(enumerated("lock", {"backup", "create", "destroyed", "disk", "fstrim", "migrate",
                              "mounted", "rollback", "snapshot", "snapshot-delete"}));
    s.add(enumerated("ostype", {"debian", "devuan", "ubuntu", "centos", "fedora", "opensuse",
                                "archlinux", "alpine", "gentoo", "nixos", "unmanaged"}));
    s.add(enumerated("arch", {"amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"}));
    s.add(boolean("console"));
    s.add(integer("tty", 0, 6));
    s.add(integer("cores", 1, 8192));
    Prop cpulimit = string("cpulimit");
    cpulimit.type = Type::Number;
    cpulimit.minimum = 0;
    cpulimit.maximum = 8192;
    s.add(cpulimit);
    s.add(integer("cpuunits", 0, 500000));
    s.add(integer("memory", 16, std::nullopt));
    s.add(integer("swap", 0, std::nullopt));
    Prop hostname = with_format(string("hostname"), &format_dns_name);
    hostname.max_length = 255;
    s.add(hostname);
    Prop description = string("description");
    description.max_length = 8192;
    s.add(description);
    s.add(string("searchdomain"));
    s.add(string("nameserver"));
    s.add(string("timezone"));
    Prop rootfs = string("rootfs");
    rootfs.property_format = &rootfs_format();
    s.add(rootfs);
    s.add(enumerated("cmode", {"shell", "console", "tty"}));
    s.add(boolean("protection"));
    s.add(boolean("unprivileged"));
    Prop features = string("features");
    features.property_format = &features_format();
    s.add(features);
    s.add(string("hookscript"));
    s.add(with_format(string("tags"), &format_tag_list));
    s.add(boolean("debug"));
    s.add(boolean("template"));
    s.add(boolean("onboot"));
    s.add(with_format(string("startup"), &format_startup_order));
    for (int i = 0; i < kMaxMountPoints; ++i) {
        Prop mp = string("");
        mp.name = "mp" + std::to_string(i);
        mp.property_format = &mp_format();
        s.add(mp);
    }
    for (int i = 0; i < kMaxNetworks; ++i) {
        Prop net = string("");
        net.name = "net" + std::to_string(i);
        net.property_format = &net_format();
        s.add(net);
    }
    for (int i = 0; i < kMaxUnused; ++i) {
        Prop unused = string("");
        unused.name = "unused" + std::to_string(i);
        unused.property_format = &unused_format();
        s.add(unused);
    }
    return s;
}

bool numbered(std::string_view key, std::string_view prefix) {
    if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) {
        return false;
    }
    for (char c : key.substr(prefix.size())) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

}  // namespace

const Schema& ct_config_schema() {
    static const Schema schema = make_config_schema();
    return schema;
}

const Format& net_format() {
    static const Format f = make_net_format();
    return f;
}

const Format& rootfs_format() {
    static const Format f = make_mount_format(true);
    return f;
}

const Format& mp_format() {
    static const Format f = make_mount_format(false);
    return f;
}

const Format& unused_format() {
    static const Format f = make_unused_format();
    return f;
}

const Format& features_format() {
    static const Format f = make_features_format();
    return f;
}

Type config_value_type(std::string_view key) {
    if (const Prop* p = ct_config_schema().find(key)) {
        return p->type;
    }
    if (key == "snaptime") {
        return Type::Integer;
    }
    return Type::String;
}

bool is_fastplug(std::string_view key) {
    static const std::set<std::string, std::less<>> keys = {"description", "onboot",   "startup",
                                                            "protection",  "hostname", "hookscript",
                                                            "cores",       "tags",     "lock"};
    return keys.count(key) != 0;
}

bool is_hotplug(std::string_view key) {
    return key == "cpulimit" || key == "cpuunits" || key == "memory" || key == "swap" ||
           is_net_key(key);
}

bool is_hot_delete(std::string_view key) {
    return is_fastplug(key) || numbered(key, "unused") || key == "swap" || key == "cpulimit" ||
           key == "cpuunits" || is_net_key(key);
}

bool is_mount_key(std::string_view key) {
    return key == "rootfs" || numbered(key, "mp");
}

bool is_net_key(std::string_view key) {
    return numbered(key, "net");
}

}  // namespace pvesim
