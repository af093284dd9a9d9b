// Listing: plans and actions as aligned text for operators (chainvisorctl plan, logs).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "plan/action.h"

namespace chainvisor::plan::detail {

struct Columns {
    std::size_t kind = 15;
    std::size_t node = 6;
    std::size_t place = 24;
    std::size_t reason = 44;
};

// "~ update         val2   vmid 102 on pve1             memory 4096 → 8192 MiB (live)   [none]"
std::string actionLine(const Action& action, const Columns& columns);

// "vmid 102 on pve1" (the host's name for a local host)
std::string actionPlace(const Action& action);

// Display width of UTF-8 text: code points, not bytes ("→" is one column).
std::size_t displayWidth(std::string_view text);

}  // namespace chainvisor::plan::detail
