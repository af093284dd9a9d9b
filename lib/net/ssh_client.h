// The RemoteShell that speaks SSH (libssh2) to one machine: the transport of pct over SSH.
// Blocking, called from the engine's pool; several threads may call run() at once, each on its
// own connection from a small pool (at most maxSessions; the rest wait). Connections stay open
// between commands; a background thread keeps idle ones alive.
//
// Retries: one. A pooled connection found dead when a command starts (before the command was
// sent) is replaced by a fresh one. A connection lost while a command runs is an error (the
// command may have run); the next run() reconnects.
//
// Secrets: the command's arguments beyond the program name, its input and key material never
// appear in an error or a log line.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "net/remote_shell.h"
#include "net/ssh_options.h"

namespace chainvisor::net {

class SshClient final : public RemoteShell {
public:
    // Throws std::invalid_argument when the options cannot work (no host, no key and no agent,
    // no known_hosts file, a port out of range, maxSessions < 1). Connects lazily.
    explicit SshClient(SshOptions options);
    // Closes the idle connections. No run() may be in progress.
    ~SshClient() override;
    SshClient(const SshClient&) = delete;
    SshClient& operator=(const SshClient&) = delete;

    // "root@pve1.example:22".
    const std::string& target() const override;
    // One deadline covers waiting for a connection, connecting, the command and its output.
    // Never throws.
    RemoteOutcome run(const RemoteCommand& command) override;

    // For tests and diagnostics: SSH connections established so far, and those idle now.
    std::size_t connectionsOpened() const;
    std::size_t idleConnections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace chainvisor::net
