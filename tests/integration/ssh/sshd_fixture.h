// A real OpenSSH server for the SshClient tests: /usr/sbin/sshd on 127.0.0.1 and a free port,
// with a throwaway host key, a throwaway user key pair and its own config, log and temp dir.
// Stopping it kills every process it started: the listener, its per-connection children and the
// users' commands, which carry a marker in their environment (sshd's SetEnv) so that even those
// whose session already ended are found.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/ssh_options.h"
#include "os/process.h"

namespace chainvisor::net::test {

// Why the SSH integration tests cannot run here, if they cannot (not root, no sshd).
std::optional<std::string> missingSshRequirement();

// Runs a local program (ssh-keygen, ssh-agent, …) and returns its result.
os::ProcessResult runLocal(const std::vector<std::string>& argv,
                           std::chrono::milliseconds deadline = std::chrono::seconds(30));

class SshdFixture {
public:
    SshdFixture();  // makes the keys and config, starts sshd and waits until it accepts
    ~SshdFixture();
    SshdFixture(const SshdFixture&) = delete;
    SshdFixture& operator=(const SshdFixture&) = delete;

    // Starts sshd on the same port (after stop()); waits until it accepts connections.
    void start();
    // Kills sshd and everything it started (SIGKILL), as a crash or power loss would.
    void stop();
    // A fresh host key for the next start().
    void replaceHostKey();

    int port() const { return port_; }
    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path userKey() const { return dir_ / "id_ed25519"; }
    std::filesystem::path hostKeyPub() const { return dir_ / "host_ed25519.pub"; }
    std::filesystem::path knownHosts() const { return dir_ / "known_hosts"; }
    std::string user() const { return user_; }

    // known_hosts holding the current host key for [127.0.0.1]:port.
    void trustHostKey() const;
    // "SHA256:…" of the current host key, from ssh-keygen -lf.
    std::string hostKeyFingerprint() const;
    // Options for a client of this server: the user key and the known_hosts file above.
    SshOptions clientOptions() const;

    // Logins sshd accepted so far ("Accepted publickey" lines in its log).
    int acceptedLogins() const;
    std::string log() const;
    // Processes started by this server whose command name is `comm` ("sleep").
    std::vector<pid_t> processesNamed(const std::string& comm) const;

private:
    // The listener, its descendants, orphaned sshd processes and the marked processes (zombies
    // included); each is sent SIGSTOP as it is found when `freeze`.
    std::set<pid_t> serverProcesses(bool freeze) const;
    void writeConfig() const;

    std::filesystem::path dir_;
    std::string marker_;  // NAME=VALUE in every environment of this server's processes
    std::string user_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace chainvisor::net::test
