// chainvisord's Run mode: set up, reconcile until told to stop, shut down in reverse.
#pragma once

#include "options.h"

namespace chainvisor::daemon {

// Returns the process exit code.
int runDaemon(const Options& options);

}  // namespace chainvisor::daemon
