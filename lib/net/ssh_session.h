// Internal to the SSH client: one SSH connection, a TCP socket and a libssh2 session in
// non-blocking mode, opened, verified and authenticated within a deadline, then lent to one
// thread at a time for commands (ssh_exec.h). Moves between threads through the pool.
//
// libssh2 1.10 keeps a single half-sent packet per session and fails any other send until the
// call that started it is repeated; callers keep to that (sendPending()).
#pragma once

#include <libssh2.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/ssh_options.h"

namespace chainvisor::net::detail {

using Clock = std::chrono::steady_clock;

// Why a step did not work, without the "ssh user@host:port: " prefix.
struct SshFailure {
    std::string what;        // set unless timedOut
    bool timedOut = false;   // the command's deadline passed (the client words the message)
    std::string stage;       // with timedOut: "while connecting", "while running", …
    bool permanent = false;  // host key or authentication: retrying cannot help
    bool failed() const { return timedOut || !what.empty(); }
};

class SshSession {
public:
    // Connects (name lookup and TCP), shakes hands, checks the host key and authenticates, all
    // by `connectDeadline`, which the client sets to the earlier of the command's deadline
    // (`commandDeadline`) and connectTimeout. Null with `failure` set when a step fails.
    static std::unique_ptr<SshSession> open(const SshOptions& options,
                                            Clock::time_point connectDeadline,
                                            Clock::time_point commandDeadline, SshFailure& failure);
    // A healthy session says goodbye to the server; a broken one just closes its socket.
    ~SshSession();
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    LIBSSH2_SESSION* get() const { return session_; }

    // Blocks until the socket can serve what libssh2 last blocked on, or input arrives when
    // `alsoInput`, or `until` passes. The caller checks its own deadline.
    void wait(Clock::time_point until, bool alsoInput) const;
    // Repeats `call` while libssh2 says EAGAIN, waiting on the socket in between; returns its
    // last result, or LIBSSH2_ERROR_TIMEOUT (unused by libssh2 in non-blocking mode) when
    // `deadline` passed first.
    template <class Call>
    int untilDone(Clock::time_point deadline, Call call);
    // A packet is half-sent: only the libssh2 call that started it may send next.
    bool sendPending() const;
    // Sends a keep-alive if one is due, and only when the kernel's send queue is empty so it
    // cannot be left half-sent. Returns the seconds until the next is due (0: disabled), or
    // -1 when the connection failed.
    int keepalive();
    // The idle connection was closed or reset by the server. Reads nothing.
    bool peerClosed() const;

    // What a failed libssh2 call ran into: the socket's error, the server closing the
    // connection, or libssh2's message.
    std::string describe(int rc) const;
    // The socket failed or reached its end: the connection cannot carry another command.
    bool lost() const { return socketError_ != 0 || socketEnd_; }
    void markBroken() { broken_ = true; }
    bool broken() const { return broken_ || lost(); }

private:
    SshSession() = default;
    static ssize_t receive(libssh2_socket_t fd, void* buffer, size_t length, int flags,
                           void** abstract);
    static ssize_t send(libssh2_socket_t fd, const void* buffer, size_t length, int flags,
                        void** abstract);
    bool handshake(const SshOptions& options, Clock::time_point deadline, SshFailure& failure);
    bool authenticate(const SshOptions& options, Clock::time_point deadline, SshFailure& failure);
    struct Refusals {
        std::vector<std::string> keys;  // "the key /root/.ssh/id_ed25519"
        std::string note;               // why the agent could not help
        bool rsa = false;               // the refused key file holds an RSA key
    };
    // 1: accepted; 0: refused or unusable (`refusals` says how); -1: `failure` is set, or
    // nothing is and the deadline passed.
    int authenticateWithAgent(const SshOptions& options, Clock::time_point deadline,
                              Refusals& refusals, SshFailure& failure);
    int authenticateWithFile(const SshOptions& options, Clock::time_point deadline,
                             Refusals& refusals, SshFailure& failure);
    int fd_ = -1;
    LIBSSH2_SESSION* session_ = nullptr;
    int socketError_ = 0;  // errno of the first failed send or receive
    bool socketEnd_ = false;
    bool broken_ = true;  // until the handshake is done: no goodbye to a half-made session
};

template <class Call>
int SshSession::untilDone(Clock::time_point deadline, Call call) {
    for (;;) {
        const int rc = call();
        if (rc != LIBSSH2_ERROR_EAGAIN) {
            return rc;
        }
        if (Clock::now() >= deadline) {
            return LIBSSH2_ERROR_TIMEOUT;
        }
        wait(deadline, false);
    }
}

}  // namespace chainvisor::net::detail
