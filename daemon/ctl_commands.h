// chainvisorctl's commands: each sends its request, prints the reply for people (or as JSON),
// and says how the process should exit.
#pragma once

#include <ostream>

#include "ctl_options.h"

namespace chainvisor::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // the daemon refused or failed; a usage error
inline constexpr int kExitPlanActions = 2;  // plan --exit-code: there is something to do
inline constexpr int kExitNotRunning = 3;   // no daemon answers on the socket
inline constexpr int kExitDenied = 4;       // the socket or the request is not for this user

struct Output {
    std::ostream& out;
    std::ostream& err;
    bool colour = false;  // ANSI colours (a terminal, NO_COLOR unset)
};

// Runs one command (not Help or Version) and returns the exit code.
int runCommand(const CtlOptions& options, Output output);

}  // namespace chainvisor::ctl
