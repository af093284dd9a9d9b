// Text a client sent (a target, a node name), made fit to echo in an error reply or write to the
// audit log: printable ASCII only, so a hostile byte cannot break a JSON reader or a terminal,
// and bounded in length.
#pragma once

#include <string>
#include <string_view>

namespace chainvisor::control {

inline constexpr std::size_t kMaxEchoed = 200;

// Bytes outside printable ASCII become '?'; longer texts are cut and end in "...".
std::string clientText(std::string_view text);

}  // namespace chainvisor::control
