#include "hosts/proxmox/form.h"

namespace chainvisor::hosts::proxmox {

std::string percentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xfU];
        }
    }
    return out;
}

Form& Form::text(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
    return *this;
}

Form& Form::number(std::string key, std::int64_t value) {
    return text(std::move(key), std::to_string(value));
}

Form& Form::flag(std::string key, bool value) {
    return text(std::move(key), value ? "1" : "0");
}

std::string Form::encode() const {
    std::string out;
    for (const auto& [key, value] : items_) {
        if (!out.empty()) {
            out += '&';
        }
        out += percentEncode(key);
        out += '=';
        out += percentEncode(value);
    }
    return out;
}

}  // namespace chainvisor::hosts::proxmox
