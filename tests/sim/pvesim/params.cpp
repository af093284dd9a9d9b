#include "params.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <regex>
#include <unordered_map>

#include "property_string.h"

namespace pvesim {

namespace {

bool full_match(const std::string& value, const char* re, bool icase = false) {
    // Each pattern is compiled once; the set is small and fixed.
    static std::unordered_map<std::string, std::regex> cache;
    std::string key = std::string(icase ? "i:" : "c:") + re;
    auto it = cache.find(key);
    if (it == cache.end()) {
        auto flags = std::regex::ECMAScript;
        if (icase) {
            flags |= std::regex::icase;
        }
        it = cache.emplace(key, std::regex(re, flags)).first;
    }
    return std::regex_match(value, it->second);
}

const char* kIpv4Re =
    "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
    "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

bool is_ipv4(const std::string& v) {
    return full_match(v, kIpv4Re);
}

bool is_ipv6(const std::string& v) {
    unsigned char buf[16];
    return v.find('%') == std::string::npos && inet_pton(AF_INET6, v.c_str(), buf) == 1;
}

bool is_cidr(const std::string& v, bool v6) {
    auto slash = v.find('/');
    if (slash == std::string::npos) {
        return false;
    }
    std::string addr = v.substr(0, slash);
    std::string bits = v.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 || !is_integer(bits) || bits[0] == '+' || bits[0] == '-') {
        return false;
    }
    int n = std::stoi(bits);
    if (v6) {
        return is_ipv6(addr) && n > 7 && n <= 128;
    }
    return is_ipv4(addr) && n > 7 && n <= 32;
}

}  // namespace

Schema::Schema(std::initializer_list<Prop> props) {
    for (const auto& p : props) {
        add(p);
    }
}

Schema& Schema::add(Prop p) {
    std::string name = p.name;
    props_[name] = std::move(p);
    return *this;
}

Schema& Schema::add_all(const Schema& other) {
    for (const auto& [name, p] : other.props()) {
        props_[name] = p;
    }
    return *this;
}

const Prop* Schema::find(std::string_view name) const {
    auto it = props_.find(name);
    return it == props_.end() ? nullptr : &it->second;
}

bool is_integer(std::string_view v) {
    std::size_t i = 0;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) {
        ++i;
    }
    if (i == v.size()) {
        return false;
    }
    for (; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9') {
            return false;
        }
    }
    return true;
}

bool is_number(std::string_view v) {
    static const std::regex re(
        "[+-]?([0-9]+\\.[0-9]+|[0-9]+\\.|\\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?");
    return std::regex_match(v.begin(), v.end(), re);
}

std::string number_text(double v) {
    if (std::floor(v) == v && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == ';' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0') {
            if (!cur.empty()) {
                out.push_back(cur);
            }
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) {
        out.push_back(cur);
    }
    return out;
}

void check_prop(const std::string& path, const Prop& prop, const std::string& value,
                Errors& errors) {
    auto add = [&](const std::string& msg) {
        auto it = errors.find(path);
        if (it == errors.end()) {
            errors[path] = msg;
        } else {
            it->second += "\\n" + msg;  // PVE joins with a literal backslash-n
        }
    };
    switch (prop.type) {
        case Type::Boolean:
            if (value != "0" && value != "1") {
                add("type check ('boolean') failed - got '" + value + "'");
                return;
            }
            break;
        case Type::Integer:
            if (!is_integer(value)) {
                add("type check ('integer') failed - got '" + value + "'");
                return;
            }
            break;
        case Type::Number:
            if (!is_number(value)) {
                add("type check ('number') failed - got '" + value + "'");
                return;
            }
            break;
        case Type::String:
            break;
    }
    if (prop.property_format != nullptr) {
        std::string err;
        if (!parse_property_string(*prop.property_format, value, path, err)) {
            add("invalid format - " + err);
            return;
        }
    }
    if (prop.format != nullptr) {
        if (auto err = prop.format(value)) {
            add("invalid format - " + *err);
            return;
        }
    }
    if (!prop.pattern.empty() && !full_match(value, prop.pattern.c_str())) {
        add("value does not match the regex pattern");
        return;
    }
    if (prop.max_length && value.size() > *prop.max_length) {
        add("value may only be " + std::to_string(*prop.max_length) + " characters long");
        return;
    }
    if (prop.min_length && value.size() < *prop.min_length) {
        add("value must be at least " + std::to_string(*prop.min_length) + " characters long");
        return;
    }
    if (is_number(value)) {
        double d = std::strtod(value.c_str(), nullptr);
        if (prop.maximum && d > *prop.maximum) {
            add("value must have a maximum value of " + number_text(*prop.maximum));
            return;
        }
        if (prop.minimum && d < *prop.minimum) {
            add("value must have a minimum value of " + number_text(*prop.minimum));
            return;
        }
    }
    if (!prop.enumeration.empty()) {
        bool found = false;
        std::string list;
        for (const auto& e : prop.enumeration) {
            found = found || e == value;
            list += (list.empty() ? "" : ", ") + e;
        }
        if (!found) {
            add("value '" + value + "' does not have a value in the enumeration '" + list + "'");
        }
    }
}

Errors validate(const Schema& schema, const Params& params) {
    Errors errors;
    for (const auto& [name, prop] : schema.props()) {
        auto it = params.find(name);
        if (it == params.end()) {
            if (!prop.optional) {
                errors[name] = "property is missing and it is not optional";
            }
            continue;
        }
        check_prop(name, prop, it->second, errors);
    }
    for (const auto& [name, value] : params) {
        if (schema.find(name) == nullptr) {
            errors[name] =
                "property is not defined in schema and the schema does not allow additional "
                "properties";
        }
    }
    return errors;
}

std::optional<std::string> format_pve_node(const std::string& v) {
    if (full_match(v, "[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?")) {
        return std::nullopt;
    }
    return "value does not look like a valid node name\n";
}

std::optional<std::string> format_pve_vmid(const std::string& v) {
    if (full_match(v, "[1-9][0-9]{2,8}")) {
        return std::nullopt;
    }
    return "value does not look like a valid VM ID\n";
}

std::optional<std::string> format_dns_name(const std::string& v) {
    const char* re =
        "(([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)\\.)*([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?"
        ")";
    if (full_match(v, re)) {
        return std::nullopt;
    }
    return "value does not look like a valid DNS name\n";
}

std::optional<std::string> format_storage_id(const std::string& v) {
    if (full_match(v, "[a-z][a-z0-9\\-_.]*[a-z0-9]", true)) {
        return std::nullopt;
    }
    return "storage ID '" + v + "' contains illegal characters\n";
}

std::optional<std::string> format_configid_list(const std::string& v) {
    for (const auto& id : split_list(v)) {
        if (!full_match(id, "[a-z][a-z0-9_]+", true)) {
            return "invalid configuration ID '" + id + "'\n";
        }
    }
    return std::nullopt;
}

std::optional<std::string> format_snapshot_name(const std::string& v) {
    if (full_match(v, "[a-z][a-z0-9_\\-]{1,39}", true)) {
        return std::nullopt;
    }
    return "invalid configuration ID '" + v + "'\n";
}

std::optional<std::string> format_tag_list(const std::string& v) {
    for (const auto& tag : split_list(v)) {
        if (!full_match(tag, "[a-z0-9_][a-z0-9_\\-+.]*", true)) {
            return "invalid characters in tag\n";
        }
    }
    return std::nullopt;
}

std::optional<std::string> format_ipv4_config(const std::string& v) {
    if (v == "dhcp" || v == "manual" || is_cidr(v, false)) {
        return std::nullopt;
    }
    return "value does not look like a valid ipv4 network configuration\n";
}

std::optional<std::string> format_ipv6_config(const std::string& v) {
    if (v == "auto" || v == "dhcp" || v == "manual" || is_cidr(v, true)) {
        return std::nullopt;
    }
    return "value does not look like a valid ipv6 network configuration\n";
}

std::optional<std::string> format_ipv4(const std::string& v) {
    if (is_ipv4(v)) {
        return std::nullopt;
    }
    return "value does not look like a valid IPv4 address\n";
}

std::optional<std::string> format_ipv6(const std::string& v) {
    if (is_ipv6(v)) {
        return std::nullopt;
    }
    return "value does not look like a valid IPv6 address\n";
}

std::optional<std::string> format_mac_addr(const std::string& v) {
    if (full_match(v, "(?:[a-f0-9]{2}:){5}[a-f0-9]{2}", true)) {
        int first = std::stoi(v.substr(0, 2), nullptr, 16);
        if ((first & 1) == 0) {
            return std::nullopt;
        }
    }
    return "value does not look like a valid unicast MAC address\n";
}

std::optional<std::string> format_bridge_id(const std::string& v) {
    if (full_match(v, "[-_.a-zA-Z0-9]+")) {
        return std::nullopt;
    }
    return "invalid bridge ID '" + v + "'\n";
}

std::optional<std::string> format_disk_size(const std::string& v) {
    if (parse_size(v)) {
        return std::nullopt;
    }
    return "value does not look like a valid disk size: " + v + "\n";
}

std::optional<std::string> format_poolid(const std::string& v) {
    if (full_match(v, "[A-Za-z0-9_\\-]+")) {
        return std::nullopt;
    }
    return "invalid pool ID '" + v + "'\n";
}

std::optional<std::string> format_volume_id(const std::string& v) {
    if (full_match(v, "[a-z][a-z0-9\\-_.]*[a-z0-9]:.+", true)) {
        return std::nullopt;
    }
    return "unable to parse volume ID '" + v + "'\n";
}

std::optional<std::string> format_startup_order(const std::string& v) {
    for (const auto& part : split_list(v)) {
        if (!full_match(part, "(order=)?[0-9]+|up=[0-9]+|down=[0-9]+")) {
            return "unable to parse startup options\n";
        }
    }
    return std::nullopt;
}

Prop opt_node() {
    Prop p;
    p.name = "node";
    p.optional = false;
    p.format = &format_pve_node;
    return p;
}

Prop opt_vmid() {
    Prop p;
    p.name = "vmid";
    p.type = Type::Integer;
    p.optional = false;
    p.format = &format_pve_vmid;
    p.minimum = 100;
    p.maximum = 999999999;
    return p;
}

}  // namespace pvesim
