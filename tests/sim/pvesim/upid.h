// Task identifiers in Proxmox VE's format:
//   UPID:node:PID(8 hex):PSTART(8-9 hex):STARTTIME(8 hex):type:id:user:
// (upper-case hex, trailing colon; the user may be a token "root@pam!name").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pvesim {

struct Upid {
    std::string node;
    std::uint32_t pid = 0;
    std::uint64_t pstart = 0;
    std::uint32_t starttime = 0;
    std::string type;
    std::string id;
    std::string user;
};

std::string format_upid(const Upid& u);
// Like PVE::Tools::upid_decode: nothing when the text is not a well-formed UPID.
std::optional<Upid> parse_upid(std::string_view text);

}  // namespace pvesim
