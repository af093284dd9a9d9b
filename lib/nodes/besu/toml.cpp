#include "nodes/besu/toml.h"

#include <cstdio>

namespace chainvisor::nodes::besu {

std::string tomlString(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                // TOML forbids the other control characters (and DEL) in a basic string.
                if (u < 0x20 || u == 0x7f) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04X", u);
                    out += escaped;
                } else {
                    out += c;  // UTF-8 bytes pass as they are
                }
        }
    }
    return out + "\"";
}

std::string tomlKey(std::string_view key) {
    const bool bare = !key.empty() && key.find_first_not_of(
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_-") == std::string_view::npos;
    return bare ? std::string(key) : tomlString(key);
}

std::string tomlValue(const TomlValue& value) {
    if (const auto* b = std::get_if<bool>(&value)) {
        return *b ? "true" : "false";
    }
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return std::to_string(*i);
    }
    if (const auto* s = std::get_if<std::string>(&value)) {
        return tomlString(*s);
    }
    std::string out = "[";
    const auto& list = std::get<std::vector<std::string>>(value);
    for (std::size_t i = 0; i < list.size(); ++i) {
        out += (i == 0 ? "" : ",") + tomlString(list[i]);
    }
    return out + "]";
}

std::string tomlLine(std::string_view key, const TomlValue& value) {
    return tomlKey(key) + "=" + tomlValue(value) + "\n";
}

}  // namespace chainvisor::nodes::besu
