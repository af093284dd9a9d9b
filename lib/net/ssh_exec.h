// Internal to the SSH client: one command on one channel of an open session. The input is
// written while both output streams are read, so neither side can stall the other, and every
// step ends by the command's deadline.
#pragma once

#include <string>

#include "net/remote_shell.h"
#include "net/ssh_session.h"

namespace chainvisor::net::detail {

struct ExecResult {
    SshFailure failure;  // the stage words ("while running") fit "<program>: timed out after …"
    // The exec request may have reached the server: a failure from here on is not retried.
    bool commandSent = false;
    RemoteOutcome outcome;  // exit and output (partial after a failure); `error` is left empty
};

// On any failure the session is marked broken: it goes, with the channel, instead of back to
// the pool.
ExecResult execute(SshSession& session, const std::string& commandLine,
                   const RemoteCommand& command, Clock::time_point deadline);

}  // namespace chainvisor::net::detail
