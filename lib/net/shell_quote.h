// Quoting for a POSIX shell, in one place: SSH hands the remote side one command line, which the
// remote user's shell parses. Each argument is single-quoted (a ' inside becomes '\''), so spaces,
// quotes, $, `, ;, &, |, globs and newlines reach the program as they are. A leading '-' is the
// program's business, not the shell's: callers put "--" before operands that may start with one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::net {

std::string shellQuote(std::string_view argument);
// The arguments quoted and joined by spaces; throws std::invalid_argument on an empty argv or an
// argument holding NUL (which no command line can carry).
std::string shellCommand(const std::vector<std::string>& argv);

}  // namespace chainvisor::net
