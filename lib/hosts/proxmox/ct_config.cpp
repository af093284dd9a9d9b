#include "hosts/proxmox/ct_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>

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

// A config's fields, whatever carried them: JSON from the API or `key: value` lines from pct.
struct Fields {
    std::function<std::string(std::string_view)> text;
    std::function<std::optional<std::int64_t>(std::string_view)> integer;
};

std::optional<int> mib(const Fields& fields, std::string_view key) {
    const auto v = fields.integer(key);
    if (!v || *v < 0 || *v > 1LL << 30) {
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

CtConfig interpret(const Fields& fields, int vmid) {
    CtConfig c;
    c.hostname = lower(fields.text("hostname"));
    if (c.hostname.empty()) {
        c.hostname = "ct" + std::to_string(vmid);
    }
    if (const auto cores = fields.integer("cores"); cores && *cores > 0 && *cores < 100000) {
        c.cores = static_cast<int>(*cores);
    }
    c.memoryMiB = mib(fields, "memory").value_or(512);
    c.swapMiB = mib(fields, "swap").value_or(512);
    const auto rootfs = parseProperties(fields.text("rootfs"));
    if (const auto bytes = diskSizeBytes(valueOf(rootfs, "size"))) {
        c.diskGiB = static_cast<int>(*bytes / kGiB);
    }
    c.net0 = fields.text("net0");
    const auto net = parseProperties(c.net0);
    c.bridge = valueOf(net, "bridge");
    c.ip = spec::Ipv4Cidr::parse(valueOf(net, "ip"));  // dhcp, manual: nullopt
    c.gateway = spec::Ipv4Address::parse(valueOf(net, "gw"));
    c.tags = fields.text("tags");
    c.lock = fields.text("lock");
    c.digest = fields.text("digest");
    return c;
}

std::string_view trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::optional<std::int64_t> integerText(std::string_view text) {
    std::int64_t out = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return out;
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
    return interpret(Fields{[&](std::string_view key) { return textField(config, key); },
                            [&](std::string_view key) { return integerField(config, key); }},
                     vmid);
}

CtConfig parseCtConfigText(std::string_view text, int vmid) {
    std::map<std::string, std::string, std::less<>> values;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = trimmed(text.substr(start, end - start));
        start = end + 1;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.front() == '[') {
            break;  // a snapshot or the pending changes: not the current configuration
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            continue;
        }
        const std::string_view key = line.substr(0, colon);
        if (key.find_first_of(" \t") != std::string_view::npos) {
            continue;
        }
        values.emplace(std::string(key), std::string(trimmed(line.substr(colon + 1))));
    }
    auto valueOfKey = [&](std::string_view key) {
        const auto it = values.find(key);
        return it == values.end() ? std::string() : it->second;
    };
    return interpret(
        Fields{valueOfKey, [&](std::string_view key) { return integerText(valueOfKey(key)); }},
        vmid);
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
