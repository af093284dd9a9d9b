#include "net/shell_quote.h"

#include <stdexcept>

namespace chainvisor::net {

std::string shellQuote(std::string_view argument) {
    std::string out;
    out.reserve(argument.size() + 2);
    out += '\'';
    for (const char c : argument) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

std::string shellCommand(const std::vector<std::string>& argv) {
    if (argv.empty() || argv.front().empty()) {
        throw std::invalid_argument("a remote command needs a program");
    }
    std::string line;
    for (const auto& a : argv) {
        if (a.find('\0') != std::string::npos) {
            throw std::invalid_argument("a command line cannot carry a NUL byte");
        }
        if (!line.empty()) {
            line += ' ';
        }
        line += shellQuote(a);
    }
    return line;
}

}  // namespace chainvisor::net
