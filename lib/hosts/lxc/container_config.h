// An LXC container config file ("key = value" lines). chainvisor writes a creation-time part
// once and rewrites the keys it manages (hostname, network addresses, cgroup limits) on every
// update, leaving every other line as it found it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hosts/host.h"
#include "hosts/lxc/cgroup_facts.h"
#include "spec/values.h"

namespace chainvisor::hosts::lxc {

using ConfigEntry = std::pair<std::string, std::string>;

class LxcConfig {
public:
    static LxcConfig parse(std::string_view text);

    // The last value of `key` (LXC: a later line overrides), or nullopt.
    std::optional<std::string> get(std::string_view key) const;
    // Drops every line whose key is in `keys`, then appends `entries`.
    void replace(const std::vector<std::string>& keys, const std::vector<ConfigEntry>& entries);
    std::string text() const;

private:
    std::vector<std::string> lines_;
};

// What chainvisor manages in a config, for this spec on this machine. Values must be valid
// (validHostname, validBridge): nothing here may contain a newline.
std::vector<ConfigEntry> managedEntries(const ContainerSpec& spec, const CgroupFacts& facts);
// Every key managedEntries can produce on any machine (so a v1→v2 switch leaves nothing stale).
const std::vector<std::string>& managedKeys();

// The creation-time part: common Debian include, overlay rootfs, unconfined AppArmor (systemd
// as init needs it), systemd's halt signal, the veth device, the log file.
std::string initialConfig(const std::string& rootfs, const std::string& hwaddr,
                          const std::filesystem::path& logFile);

// What a config says, normalised for plan::ObservedContainer.
struct ConfigSettings {
    std::string hostname;  // lower-case
    std::string bridge;
    std::optional<spec::Ipv4Cidr> ip;
    std::optional<spec::Ipv4Address> gateway;
    std::optional<int> memoryMiB;
    std::optional<int> swapMiB;  // only where the config limits memory+swap
    std::optional<int> cpuCount;
    std::string rootfs;
};
ConfigSettings readSettings(const LxcConfig& config);

// RFC 1123 host name (labels of letters, digits, '-'), at most 63 characters.
bool validHostname(std::string_view name);
// A Linux interface name: 1–15 of [A-Za-z0-9_.-], not "." or "..".
bool validBridge(std::string_view name);
// "1K", "512M", "2G", "1073741824" → bytes; nullopt otherwise.
std::optional<long long> parseBytes(std::string_view text);

}  // namespace chainvisor::hosts::lxc
