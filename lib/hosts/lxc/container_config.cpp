#include "hosts/lxc/container_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace chainvisor::hosts::lxc {
namespace {

constexpr long long kMiB = 1024 * 1024;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

// The key of a "key = value" line; empty for comments and blank lines.
std::string_view keyOf(std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') {
        return {};
    }
    const auto eq = line.find('=');
    return eq == std::string_view::npos ? std::string_view{} : trim(line.substr(0, eq));
}

bool isAlnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

int toMiB(long long bytes) {
    return static_cast<int>(bytes / kMiB);
}

}  // namespace

LxcConfig LxcConfig::parse(std::string_view text) {
    LxcConfig config;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        config.lines_.emplace_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return config;
}

std::optional<std::string> LxcConfig::get(std::string_view key) const {
    std::optional<std::string> value;
    for (const auto& line : lines_) {
        if (keyOf(line) == key) {
            const std::string_view l = line;
            value = std::string(trim(l.substr(l.find('=') + 1)));
        }
    }
    return value;
}

void LxcConfig::replace(const std::vector<std::string>& keys,
                        const std::vector<ConfigEntry>& entries) {
    std::erase_if(lines_, [&](const std::string& line) {
        const auto key = keyOf(line);
        return !key.empty() && std::find(keys.begin(), keys.end(), key) != keys.end();
    });
    while (!lines_.empty() && trim(lines_.back()).empty()) {
        lines_.pop_back();
    }
    for (const auto& [key, value] : entries) {
        lines_.push_back(key + " = " + value);
    }
}

std::string LxcConfig::text() const {
    std::string out;
    for (const auto& line : lines_) {
        out += line;
        out += '\n';
    }
    return out;
}

const std::vector<std::string>& managedKeys() {
    static const std::vector<std::string> keys = {
        "lxc.uts.name",
        "lxc.net.0.link",
        "lxc.net.0.ipv4.address",
        "lxc.net.0.ipv4.gateway",
        "lxc.cgroup.memory.limit_in_bytes",
        "lxc.cgroup.memory.memsw.limit_in_bytes",
        "lxc.cgroup.cpuset.cpus",
        "lxc.cgroup2.memory.max",
        "lxc.cgroup2.memory.swap.max",
        "lxc.cgroup2.cpuset.cpus",
    };
    return keys;
}

std::vector<ConfigEntry> managedEntries(const ContainerSpec& spec, const CgroupFacts& facts) {
    std::vector<ConfigEntry> entries;
    entries.emplace_back("lxc.uts.name", spec.hostname);
    entries.emplace_back("lxc.net.0.link", spec.bridge);
    if (spec.ip) {
        entries.emplace_back("lxc.net.0.ipv4.address", spec.ip->str());
    }
    if (spec.gateway) {
        entries.emplace_back("lxc.net.0.ipv4.gateway", spec.gateway->str());
    }
    const long long memory = static_cast<long long>(std::max(spec.resources.memoryMiB, 1)) * kMiB;
    const long long swap = static_cast<long long>(std::max(spec.resources.swapMiB, 0)) * kMiB;
    // Cores become a cpuset of the first `cores` online CPUs, clamped to what the machine has.
    const auto cores = static_cast<std::size_t>(std::max(spec.resources.cores, 1));
    std::vector<int> cpus(
        facts.cpus.begin(),
        facts.cpus.begin() + static_cast<std::ptrdiff_t>(std::min(cores, facts.cpus.size())));
    const std::string prefix = facts.unified ? "lxc.cgroup2." : "lxc.cgroup.";
    if (facts.unified) {
        entries.emplace_back(prefix + "memory.max", std::to_string(memory));
    } else {
        entries.emplace_back(prefix + "memory.limit_in_bytes", std::to_string(memory));
    }
    // Swap is enforced only where the kernel accounts it (v1 memsw, v2 memory.swap.max; Debian
    // kernels without swapaccount=1 have neither). Elsewhere it lives in the marker only.
    if (facts.swapLimit) {
        if (facts.unified) {
            entries.emplace_back(prefix + "memory.swap.max", std::to_string(swap));
        } else {
            entries.emplace_back(prefix + "memory.memsw.limit_in_bytes",
                                 std::to_string(memory + swap));
        }
    }
    if (!cpus.empty()) {
        entries.emplace_back(prefix + "cpuset.cpus", formatCpuList(cpus));
    }
    return entries;
}

std::string initialConfig(const std::string& rootfs, const std::string& hwaddr,
                          const std::filesystem::path& logFile) {
    std::string text;
    text += "# Made by chainvisor; its ownership marker is chainvisor.json next to this file.\n";
    text += "# The keys at the end are rewritten on every update; other lines are left alone.\n";
    text += "lxc.include = /usr/share/lxc/config/debian.common.conf\n";
    text += "lxc.rootfs.path = " + rootfs + "\n";
    text += "lxc.apparmor.profile = unconfined\n";
    text += "lxc.signal.halt = SIGRTMIN+3\n";
    text += "lxc.net.0.type = veth\n";
    text += "lxc.net.0.flags = up\n";
    text += "lxc.net.0.name = eth0\n";
    text += "lxc.net.0.hwaddr = " + hwaddr + "\n";
    text += "lxc.log.file = " + logFile.string() + "\n";
    text += "lxc.log.level = WARN\n";
    return text;
}

ConfigSettings readSettings(const LxcConfig& config) {
    ConfigSettings s;
    s.hostname = config.get("lxc.uts.name").value_or("");
    std::transform(s.hostname.begin(), s.hostname.end(), s.hostname.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    s.bridge = config.get("lxc.net.0.link").value_or("");
    s.rootfs = config.get("lxc.rootfs.path").value_or("");
    if (auto ip = config.get("lxc.net.0.ipv4.address")) {
        // LXC accepts "ADDR/PREFIX [BCAST]"; a bare address means /24 to LXC.
        std::string text = ip->substr(0, ip->find(' '));
        if (text.find('/') == std::string::npos) {
            text += "/24";
        }
        s.ip = spec::Ipv4Cidr::parse(text);
    }
    if (auto gw = config.get("lxc.net.0.ipv4.gateway")) {
        s.gateway = spec::Ipv4Address::parse(*gw);
    }
    std::optional<long long> memory;
    if (auto v1 = config.get("lxc.cgroup.memory.limit_in_bytes")) {
        memory = parseBytes(*v1);
        if (auto memsw = config.get("lxc.cgroup.memory.memsw.limit_in_bytes")) {
            if (auto total = parseBytes(*memsw); total && memory && *total >= *memory) {
                s.swapMiB = toMiB(*total - *memory);
            }
        }
    } else if (auto v2 = config.get("lxc.cgroup2.memory.max")) {
        memory = parseBytes(*v2);
        if (auto swap = config.get("lxc.cgroup2.memory.swap.max")) {
            if (auto bytes = parseBytes(*swap)) {
                s.swapMiB = toMiB(*bytes);
            }
        }
    }
    if (memory) {
        s.memoryMiB = toMiB(*memory);
    }
    auto cpus = config.get("lxc.cgroup.cpuset.cpus");
    if (!cpus) {
        cpus = config.get("lxc.cgroup2.cpuset.cpus");
    }
    if (cpus) {
        if (auto list = parseCpuList(*cpus); !list.empty()) {
            s.cpuCount = static_cast<int>(list.size());
        }
    }
    return s;
}

bool validHostname(std::string_view name) {
    if (name.empty() || name.size() > 63) {
        return false;
    }
    std::size_t labelStart = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            const auto label = name.substr(labelStart, i - labelStart);
            if (label.empty() || label.front() == '-' || label.back() == '-') {
                return false;
            }
            labelStart = i + 1;
        } else if (!isAlnum(name[i]) && name[i] != '-') {
            return false;
        }
    }
    return true;
}

bool validBridge(std::string_view name) {
    if (name.empty() || name.size() > 15 || name == "." || name == "..") {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::optional<long long> parseBytes(std::string_view text) {
    text = trim(text);
    long long multiplier = 1;
    if (!text.empty()) {
        switch (std::toupper(static_cast<unsigned char>(text.back()))) {
            case 'K':
                multiplier = 1024;
                break;
            case 'M':
                multiplier = kMiB;
                break;
            case 'G':
                multiplier = kMiB * 1024;
                break;
            default:
                break;
        }
        if (multiplier != 1) {
            text.remove_suffix(1);
        }
    }
    long long value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 0 ||
        value > (1LL << 52) / multiplier) {
        return std::nullopt;
    }
    return value * multiplier;
}

}  // namespace chainvisor::hosts::lxc
