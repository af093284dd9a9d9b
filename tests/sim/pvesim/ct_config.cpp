#include "ct_config.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "ct_schema.h"
#include "params.h"

namespace pvesim {

namespace {

// PVE::Tools::encode_text: control and high-bit characters and ':' are percent-encoded.
std::string encode_text(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (c < 0x20 || c == ':' || c > 0x7e) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

std::string render_section(const ConfigMap& values) {
    std::string raw;
    auto d = values.find("description");
    if (d != values.end()) {
        std::size_t start = 0;
        const std::string& text = d->second;
        while (start < text.size()) {
            std::size_t nl = text.find('\n', start);
            std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
            raw += "#" + encode_text(line) + "\n";
            start = nl == std::string::npos ? text.size() : nl + 1;
        }
    }
    for (const auto& [key, value] : values) {
        if (key == "description") {
            continue;
        }
        raw += key + ": " + value + "\n";
    }
    return raw;
}

}  // namespace

std::string CtConfig::render() const {
    std::string raw = render_section(values);
    if (!pending.empty()) {
        raw += "\n[pve:pending]\n" + render_section(pending);
    }
    for (const auto& [name, snap] : snapshots) {
        raw += "\n[" + name + "]\n" + render_section(snap);
    }
    return raw;
}

std::string CtConfig::digest() const {
    return sha1_hex(render());
}

std::set<std::string> CtConfig::pending_deletes() const {
    std::set<std::string> out;
    auto it = pending.find("delete");
    if (it != pending.end()) {
        for (auto& k : split_list(it->second)) {
            out.insert(k[0] == '!' ? k.substr(1) : k);
        }
    }
    return out;
}

void CtConfig::add_pending_delete(const std::string& key) {
    auto keys = pending_deletes();
    keys.insert(key);
    std::string joined;
    for (const auto& k : keys) {
        joined += (joined.empty() ? "" : ",") + k;
    }
    pending["delete"] = joined;
}

void CtConfig::remove_pending_delete(const std::string& key) {
    auto keys = pending_deletes();
    keys.erase(key);
    if (keys.empty()) {
        pending.erase("delete");
        return;
    }
    std::string joined;
    for (const auto& k : keys) {
        joined += (joined.empty() ? "" : ",") + k;
    }
    pending["delete"] = joined;
}

ConfigMap CtConfig::effective(bool current) const {
    ConfigMap out = values;
    if (current) {
        return out;
    }
    for (const auto& [k, v] : pending) {
        if (k != "delete") {
            out[k] = v;
        }
    }
    for (const auto& k : pending_deletes()) {
        out.erase(k);
    }
    return out;
}

boost::json::object config_json(const ConfigMap& values) {
    boost::json::object out;
    for (const auto& [key, value] : values) {
        switch (config_value_type(key)) {
            case Type::Integer:
            case Type::Boolean:
                if (is_integer(value)) {
                    out[key] = std::strtoll(value.c_str(), nullptr, 10);
                    continue;
                }
                break;
            case Type::Number:
                if (is_integer(value)) {
                    out[key] = std::strtoll(value.c_str(), nullptr, 10);
                    continue;
                }
                if (is_number(value)) {
                    out[key] = std::strtod(value.c_str(), nullptr);
                    continue;
                }
                break;
            case Type::String:
                break;
        }
        out[key] = value;
    }
    return out;
}

std::string sha1_hex(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

}  // namespace pvesim
