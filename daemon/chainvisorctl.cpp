// chainvisorctl: asks chainvisord over its control socket what it sees and plans, and tells it to
// pause, resume, reconcile or reload. Parses the whole command line first, then makes one
// request (or a chain of long-polls for `events -f`), then exits with a code scripts can use.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

#include "ctl_commands.h"
#include "ctl_options.h"

namespace {

using namespace chainvisor;

// Colours only for a person at a terminal that can show them.
bool wantColour() {
    const char* term = std::getenv("TERM");
    return ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr && term &&
           std::strcmp(term, "dumb") != 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    const char* environmentSocket = std::getenv(ctl::kSocketEnvironment.data());
    const auto parsed = ctl::parseCtlOptions(
        args,
        environmentSocket ? std::optional<std::string_view>(environmentSocket) : std::nullopt);
    if (!parsed.options) {
        std::cerr << "chainvisorctl: " << parsed.error << "\n"
                  << "Try 'chainvisorctl --help'.\n";
        return ctl::kExitError;
    }
    const auto& options = *parsed.options;
    if (options.command == ctl::Command::Help) {
        std::cout << ctl::ctlUsage();
        return ctl::kExitOk;
    }
    if (options.command == ctl::Command::Version) {
        std::cout << "chainvisorctl " CHAINVISOR_VERSION "\n";
        return ctl::kExitOk;
    }
    return ctl::runCommand(options, {std::cout, std::cerr, wantColour()});
}
