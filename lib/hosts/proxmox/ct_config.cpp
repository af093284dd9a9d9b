#include "hosts/proxmox/ct_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "hosts/proxmox/json_fields.h"

namespace chainvisor::hosts::proxmox {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string valueOf(const Properties& p, std::string_view key) {
    for (const auto& [k, v] : p) {
        if (k == key) {
            return v;
        }
    }
    return {};
}

void set(Properties& p, const std::string& key, std::optional<std::string> value) {
    auto it = std::find_if(p.begin(), p.end(), [&](const auto& kv) { return kv.first == key; });
    if (!value) {
        if (it != p.end()) {
            p.erase(it);
        }
        return;
    }
    if (it != p.end()) {
        it->second = *value;
    } else {
        p.emplace_back(key, *value);
    }
}

std::optional<int> mib(const boost::json::object& config, std::string_view key) {
    const auto v = integerField(config, key);
    if (!v || *v < 0 || *v > 1LL << 30) {
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

}  // namespace

Properties parseProperties(std::string_view text) {
    Properties out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto item = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!item.empty()) {
            const auto eq = item.find('=');
            if (eq == std::string_view::npos) {
                out.emplace_back(std::string(), std::string(item));
            } else {
                out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
            }
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

std::string renderProperties(const Properties& properties) {
    std::string out;
    for (const auto& [k, v] : properties) {
        if (!out.empty()) {
            out += ',';
        }
        out += k.empty() ? v : k + "=" + v;
    }
    return out;
}

std::optional<std::int64_t> diskSizeBytes(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::int64_t unit = 1;
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
        case 'K':
            unit = 1024;
            break;
        case 'M':
            unit = kMiB;
            break;
        case 'G':
            unit = kGiB;
            break;
        case 'T':
            unit = kGiB * 1024;
            break;
        default:
            break;
    }
    if (unit != 1) {
        text.remove_suffix(1);
    }
    // Proxmox may print fractions ("1.5G").
    double number = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || ptr != text.data() + text.size() || number < 0 || number > 1e15) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(number * static_cast<double>(unit));
}

CtConfig parseCtConfig(const boost::json::object& config, int vmid) {
    CtConfig c;
    c.hostname = lower(textField(config, "hostname"));
    if (c.hostname.empty()) {
        c.hostname = "ct" + std::to_string(vmid);
    }
    if (const auto cores = integerField(config, "cores"); cores && *cores > 0 && *cores < 100000) {
        c.cores = static_cast<int>(*cores);
    }
    c.memoryMiB = mib(config, "memory").value_or(512);
    c.swapMiB = mib(config, "swap").value_or(512);
    const auto rootfs = parseProperties(textField(config, "rootfs"));
    if (const auto bytes = diskSizeBytes(valueOf(rootfs, "size"))) {
        c.diskGiB = static_cast<int>(*bytes / kGiB);
    }
    c.net0 = textField(config, "net0");
    const auto net = parseProperties(c.net0);
    c.bridge = valueOf(net, "bridge");
    c.ip = spec::Ipv4Cidr::parse(valueOf(net, "ip"));  // dhcp, manual: nullopt
    c.gateway = spec::Ipv4Address::parse(valueOf(net, "gw"));
    c.tags = textField(config, "tags");
    c.lock = textField(config, "lock");
    c.digest = textField(config, "digest");
    return c;
}

std::string net0For(const ContainerSpec& spec) {
    return net0Updated("name=eth0", spec);
}

std::string net0Updated(std::string_view current, const ContainerSpec& spec) {
    Properties p = parseProperties(current);
    if (valueOf(p, "name").empty()) {
        set(p, "name", "eth0");
    }
    set(p, "bridge", spec.bridge.empty() ? std::string("vmbr0") : spec.bridge);
    set(p, "ip", spec.ip ? spec.ip->str() : std::string("dhcp"));
    set(p, "gw", spec.gateway ? std::optional<std::string>(spec.gateway->str()) : std::nullopt);
    return renderProperties(p);
}

}  // namespace chainvisor::hosts::proxmox
