// A request target split into its path and query parameters, percent-decoded:
// "/v1/events?since=12&wait=30" → path "/v1/events", {since: "12", wait: "30"}.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::control {

struct Target {
    std::string path;
    std::map<std::string, std::string, std::less<>> query;
};

// nullopt for a malformed target (bad %-escape, a NUL, not starting with '/', a repeated key).
std::optional<Target> parseTarget(std::string_view target);

// "%2F" → "/", "+" → " ". nullopt for a bad escape or a decoded NUL.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace);

// Decimal digits only, no sign, no overflow.
std::optional<std::uint64_t> parseUnsigned(std::string_view text);

// Seconds, whole or with a fraction ("30", "0.25"), not negative; as milliseconds.
std::optional<std::chrono::milliseconds> parseSeconds(std::string_view text);

}  // namespace chainvisor::control
