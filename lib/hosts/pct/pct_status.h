// A container's power as pct reports it: `pct status VMID` prints "status: running" (or
// "stopped"); `pct list` has the same words in its Status column. Anything else (a missing line,
// "unknown") is Unknown, which the planner does not act on.
#pragma once

#include <string_view>

#include "plan/observed.h"

namespace chainvisor::hosts::pct {

plan::PowerState powerOf(std::string_view status);

// The word after "status: " in `pct status VMID`'s output; "" when there is none.
std::string_view parsePctStatus(std::string_view output);

}  // namespace chainvisor::hosts::pct
