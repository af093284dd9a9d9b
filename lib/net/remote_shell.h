// A blocking "run this command on that machine" seam: what pct over SSH needs of a transport.
// The real implementation (ssh_client.h) speaks SSH with libssh2; unit tests use scripted ones.
// Called from the engine's blocking pool; safe to call from several threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace chainvisor::net {

struct RemoteCommand {
    // Run by the remote user's shell after quoting (shell_quote.h): every element reaches the
    // program as one argument, whatever it contains. argv[0] is looked up in the remote PATH.
    std::vector<std::string> argv;
    std::string input;  // the command's stdin, then EOF; may be secret: never logged
    std::chrono::milliseconds deadline{std::chrono::seconds(60)};  // connect + run + output
    std::size_t maxOutput = 1024 * 1024;  // per stream; the rest is read and dropped
};

struct RemoteOutcome {
    // Empty when the command ran and its exit was seen; otherwise what went wrong on the way
    // (connect, host key, authentication, lost connection, deadline) and not the command's fault.
    std::string error;
    bool timedOut = false;   // the deadline passed; the remote command may still be running
    bool permanent = false;  // retrying cannot help without a change: host key, authentication

    int exitCode = -1;       // when the command exited
    std::string exitSignal;  // "KILL", "TERM", … when it was killed by a signal instead
    std::string out;         // capped at maxOutput
    std::string err;         // capped at maxOutput
    bool truncated = false;  // some output was dropped

    bool ok() const { return error.empty(); }
};

class RemoteShell {
public:
    virtual ~RemoteShell() = default;
    // "root@pve1.example:22": for messages.
    virtual const std::string& target() const = 0;
    virtual RemoteOutcome run(const RemoteCommand& command) = 0;
};

}  // namespace chainvisor::net
