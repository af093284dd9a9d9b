// Small value types of the cluster file that need parsing and semantic comparison:
// versions, IPv4 addresses and CIDRs, durations. Parsers return nullopt on bad input;
// the loader turns that into a located diagnostic.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::spec {

// MAJOR.MINOR.PATCH with an optional -suffix (Besu's 26.1.0, 24.12.2-RC1; BitCell's 0.3.1).
struct Version {
    int major = 0;
    int minor = 0;
    int patch = 0;
    std::string suffix;  // without the '-'; a version with a suffix orders before the same without

    static std::optional<Version> parse(std::string_view text);
    std::string str() const;
    bool empty() const { return major == 0 && minor == 0 && patch == 0 && suffix.empty(); }
    std::strong_ordering operator<=>(const Version& other) const;
    bool operator==(const Version& other) const = default;
};

struct Ipv4Address {
    std::uint32_t value = 0;  // host byte order

    static std::optional<Ipv4Address> parse(std::string_view text);
    std::string str() const;
    auto operator<=>(const Ipv4Address&) const = default;
};

// An interface address with its prefix, as in "10.10.0.11/24" (not a network: host bits allowed).
struct Ipv4Cidr {
    Ipv4Address address;
    int prefix = 32;

    static std::optional<Ipv4Cidr> parse(std::string_view text);
    std::string str() const;
    bool contains(Ipv4Address other) const;
    auto operator<=>(const Ipv4Cidr&) const = default;
};

// "500ms", "30s", "5m", "2h" (one number, one unit).
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);
std::string formatDuration(std::chrono::milliseconds d);

}  // namespace chainvisor::spec
