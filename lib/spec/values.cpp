#include "spec/values.h"

#include <charconv>
#include <cstdio>
#include <tuple>

namespace chainvisor::spec {
namespace {

// Parses a non-negative decimal integer that is the whole of `text` and at most `max`.
std::optional<long long> parseUnsigned(std::string_view text, long long max) {
    if (text.empty() || text.size() > 18) {
        return std::nullopt;
    }
    long long value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || value < 0 || value > max) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::optional<Version> Version::parse(std::string_view text) {
    Version v;
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        v.suffix = std::string(text.substr(dash + 1));
        text = text.substr(0, dash);
        if (v.suffix.empty()) {
            return std::nullopt;
        }
        for (char c : v.suffix) {
            const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                            (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
            if (!ok) {
                return std::nullopt;
            }
        }
    }
    int* parts[] = {&v.major, &v.minor, &v.patch};
    for (int i = 0; i < 3; ++i) {
        auto dot = text.find('.');
        if ((i < 2) != (dot != std::string_view::npos)) {
            return std::nullopt;
        }
        auto part = text.substr(0, dot);
        if (part.size() > 1 && part[0] == '0') {
            return std::nullopt;  // no leading zeros: "24.01.0" is ambiguous
        }
        auto value = parseUnsigned(part, 1'000'000);
        if (!value) {
            return std::nullopt;
        }
        *parts[i] = static_cast<int>(*value);
        text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    }
    return v;
}

std::string Version::str() const {
    std::string s =
        std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    if (!suffix.empty()) {
        s += "-" + suffix;
    }
    return s;
}

std::strong_ordering Version::operator<=>(const Version& other) const {
    if (auto c = std::tie(major, minor, patch) <=> std::tie(other.major, other.minor, other.patch);
        c != 0) {
        return c;
    }
    // A pre-release (with suffix) orders before the release.
    if (suffix.empty() != other.suffix.empty()) {
        return suffix.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
    }
    return suffix <=> other.suffix;
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        auto dot = text.find('.');
        if ((i < 3) != (dot != std::string_view::npos)) {
            return std::nullopt;
        }
        auto part = text.substr(0, dot);
        if (part.size() > 1 && part[0] == '0') {
            return std::nullopt;  // "010" is octal to some parsers: refuse the ambiguity
        }
        auto octet = parseUnsigned(part, 255);
        if (!octet) {
            return std::nullopt;
        }
        value = (value << 8) | static_cast<std::uint32_t>(*octet);
        text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    }
    return Ipv4Address{value};
}

std::string Ipv4Address::str() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", (value >> 24) & 0xff, (value >> 16) & 0xff,
                  (value >> 8) & 0xff, value & 0xff);
    return buf;
}

std::optional<Ipv4Cidr> Ipv4Cidr::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        return std::nullopt;
    }
    auto address = Ipv4Address::parse(text.substr(0, slash));
    auto prefix = parseUnsigned(text.substr(slash + 1), 32);
    if (!address || !prefix || text.substr(slash + 1).size() > 2) {
        return std::nullopt;
    }
    return Ipv4Cidr{*address, static_cast<int>(*prefix)};
}

std::string Ipv4Cidr::str() const {
    return address.str() + "/" + std::to_string(prefix);
}

bool Ipv4Cidr::contains(Ipv4Address other) const {
    if (prefix == 0) {
        return true;
    }
    const std::uint32_t mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
    return (address.value & mask) == (other.value & mask);
}

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    auto number = parseUnsigned(text.substr(0, digits), 1'000'000'000);
    if (!number) {
        return std::nullopt;
    }
    const auto unit = text.substr(digits);
    const long long n = *number;
    if (unit == "ms") {
        return std::chrono::milliseconds(n);
    }
    if (unit == "s") {
        return std::chrono::milliseconds(n * 1000);
    }
    if (unit == "m") {
        return std::chrono::milliseconds(n * 60'000);
    }
    if (unit == "h") {
        return std::chrono::milliseconds(n * 3'600'000);
    }
    return std::nullopt;
}

std::string formatDuration(std::chrono::milliseconds d) {
    const long long ms = d.count();
    if (ms % 3'600'000 == 0 && ms != 0) {
        return std::to_string(ms / 3'600'000) + "h";
    }
    if (ms % 60'000 == 0 && ms != 0) {
        return std::to_string(ms / 60'000) + "m";
    }
    if (ms % 1000 == 0) {
        return std::to_string(ms / 1000) + "s";
    }
    return std::to_string(ms) + "ms";
}

}  // namespace chainvisor::spec
