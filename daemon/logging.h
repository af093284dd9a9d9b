// spdlog set-up: plain lines without timestamps for journald (it stamps them) or a terminal, or
// one JSON object per line with --log-format=json.
#pragma once

#include "options.h"

namespace chainvisor::daemon {

void setUpLogging(LogFormat format, LogLevel level);

}  // namespace chainvisor::daemon
