#include "nodes/bitcell/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace chainvisor::nodes::bitcell {
namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trimLeft(std::string_view s) {
    while (!s.empty() && isBlank(s.front())) {
        s.remove_prefix(1);
    }
    return s;
}

// The rest of a sample line after `{…}`, or nullopt when the braces do not close. Quotes and
// backslash escapes inside label values are honoured, so a '}' in a value does not end them.
std::optional<std::string_view> skipLabels(std::string_view s) {
    bool quoted = false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted && c == '\\') {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == '}') {
            return s.substr(i + 1);
        }
    }
    return std::nullopt;
}

std::optional<double> parseValue(std::string_view token) {
    if (!token.empty() && token.front() == '+') {
        token.remove_prefix(1);  // "+Inf"; from_chars takes no '+'
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc() || end != token.data() + token.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::optional<double> sampleValue(std::string_view text, std::string_view name) {
    while (!text.empty()) {
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        line = trimLeft(line);
        if (line.empty() || line.front() == '#' || !line.starts_with(name)) {
            continue;
        }
        std::string_view rest = line.substr(name.size());
        if (!rest.empty() && rest.front() == '{') {
            auto afterLabels = skipLabels(rest);
            if (!afterLabels) {
                continue;
            }
            rest = *afterLabels;
        } else if (rest.empty() || !isBlank(rest.front())) {
            continue;  // a longer name that begins with `name`
        }
        rest = trimLeft(rest);
        std::size_t end = 0;
        while (end < rest.size() && !isBlank(rest[end])) {
            ++end;
        }
        return parseValue(rest.substr(0, end));  // a timestamp may follow; it is not needed
    }
    return std::nullopt;
}

std::optional<std::uint64_t> sampleCount(std::string_view text, std::string_view name) {
    const auto value = sampleValue(text, name);
    // 2^64 itself is a double, but not a uint64.
    if (!value || !std::isfinite(*value) || *value < 0 || *value >= 18446744073709551616.0 ||
        std::floor(*value) != *value) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(*value);
}

}  // namespace chainvisor::nodes::bitcell
