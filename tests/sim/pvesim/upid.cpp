#include "upid.h"

#include <cstdio>
#include <regex>

namespace pvesim {

std::string format_upid(const Upid& u) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08X:%08llX:%08X", u.pid,
                  static_cast<unsigned long long>(u.pstart), u.starttime);
    return "UPID:" + u.node + ":" + buf + ":" + u.type + ":" + u.id + ":" + u.user + ":";
}

std::optional<Upid> parse_upid(std::string_view text) {
    static const std::regex re(
        "UPID:([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):"
        "([0-9A-Fa-f]{8}):([^:\\s]+):([^:\\s]*):([^:\\s]+):");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(text.begin(), text.end(), m, re)) {
        return std::nullopt;
    }
    Upid u;
    u.node = m[1].str();
    u.pid = static_cast<std::uint32_t>(std::stoul(m[3].str(), nullptr, 16));
    u.pstart = std::stoull(m[4].str(), nullptr, 16);
    u.starttime = static_cast<std::uint32_t>(std::stoul(m[5].str(), nullptr, 16));
    u.type = m[6].str();
    u.id = m[7].str();
    u.user = m[8].str();
    return u;
}

}  // namespace pvesim
