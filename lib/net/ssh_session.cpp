// SshSession: the connection's life (connect, handshake, host key, goodbye) and its socket.
// Authentication is in ssh_auth.cpp.
#include "net/ssh_session.h"

#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "net/ssh_known_hosts.h"
#include "net/tcp_connect.h"

namespace chainvisor::net::detail {

namespace {

// libssh2_init is not thread-safe and must run before any session: once per process. The
// matching libssh2_exit is left to the process's end, as other sessions may still be alive.
void initLibssh2Once() {
    static std::once_flag once;
    std::call_once(once, [] { libssh2_init(0); });
}

// libssh2 takes its I/O callbacks as void*; the conversion is what it expects of C callers.
template <class Function>
void* callbackPointer(Function* function) {
    void* pointer = nullptr;
    static_assert(sizeof(pointer) == sizeof(function));
    std::memcpy(&pointer, &function, sizeof(pointer));
    return pointer;
}

std::string milliseconds(std::chrono::milliseconds value) {
    return std::to_string(value.count()) + " ms";
}

}  // namespace

ssize_t SshSession::receive(libssh2_socket_t fd, void* buffer, size_t length, int flags,
                            void** abstract) {
    auto* self = static_cast<SshSession*>(*abstract);
    const ssize_t n = ::recv(fd, buffer, length, flags);
    if (n == 0) {
        self->socketEnd_ = true;
    } else if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return -EAGAIN;
        }
        if (self->socketError_ == 0) {
            self->socketError_ = errno;
        }
        return -errno;
    }
    return n;
}

ssize_t SshSession::send(libssh2_socket_t fd, const void* buffer, size_t length, int flags,
                         void** abstract) {
    auto* self = static_cast<SshSession*>(*abstract);
    const ssize_t n = ::send(fd, buffer, length, flags | MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return -EAGAIN;
        }
        if (self->socketError_ == 0) {
            self->socketError_ = errno;
        }
        return -errno;
    }
    return n;
}

std::unique_ptr<SshSession> SshSession::open(const SshOptions& options,
                                             Clock::time_point connectDeadline,
                                             Clock::time_point commandDeadline,
                                             SshFailure& failure) {
    initLibssh2Once();
    std::unique_ptr<SshSession> self(new SshSession());
    // Words a passed deadline: the command's (the client says which command) or connectTimeout.
    auto expired = [&](const char* step, const char* phrase) {
        self->broken_ = true;
        if (Clock::now() >= commandDeadline) {
            failure.timedOut = true;
            failure.stage = phrase;
        } else {
            failure.what =
                std::string(step) + ": timed out after " + milliseconds(options.connectTimeout);
        }
        return nullptr;
    };

    const auto tcp =
        tcpConnect(options.host, static_cast<std::uint16_t>(options.port), connectDeadline);
    if (tcp.fd < 0) {
        if (tcp.timedOut) {
            return expired("connect", "while connecting");
        }
        failure.what = tcp.error;
        return nullptr;
    }
    self->fd_ = tcp.fd;
    self->session_ = libssh2_session_init_ex(nullptr, nullptr, nullptr, self.get());
    if (self->session_ == nullptr) {
        failure.what = "cannot start an SSH session: out of memory";
        return nullptr;
    }
    libssh2_session_callback_set(self->session_, LIBSSH2_CALLBACK_RECV,
                                 callbackPointer(&SshSession::receive));
    libssh2_session_callback_set(self->session_, LIBSSH2_CALLBACK_SEND,
                                 callbackPointer(&SshSession::send));
    libssh2_session_set_blocking(self->session_, 0);

    if (!self->handshake(options, connectDeadline, failure)) {
        if (!failure.failed()) {
            return expired("SSH handshake", "during the SSH handshake");
        }
        return nullptr;
    }
    if (!self->authenticate(options, connectDeadline, failure)) {
        if (!failure.failed()) {
            return expired("authentication", "while authenticating");
        }
        return nullptr;
    }
    // No reply wanted: the message only has to cross NATs and firewalls and show TCP whether
    // the peer is still there.
    libssh2_keepalive_config(
        self->session_, 0,
        static_cast<unsigned>(std::max<long long>(0, options.keepalive.count())));
    return self;
}

bool SshSession::handshake(const SshOptions& options, Clock::time_point deadline,
                           SshFailure& failure) {
    KnownHosts known(session_, options.knownHostsFile);
    std::string error;
    if (!known.load(error)) {
        failure.what = "known hosts: " + error;
        failure.permanent = true;
        return false;
    }
    // Ask for a key of a type already held for the host, as OpenSSH does: otherwise a server
    // with several keys may show one of another type, which would look unknown.
    const std::string held = known.heldAlgorithms(options.host, options.port);
    if (!held.empty() &&
        libssh2_session_method_pref(session_, LIBSSH2_METHOD_HOSTKEY, held.c_str()) != 0) {
        failure.what = "known hosts: " + options.knownHostsFile + " holds keys for " +
                       options.host + " of types libssh2 cannot use (" + held + ")";
        failure.permanent = true;
        return false;
    }
    const int rc = untilDone(deadline, [&] { return libssh2_session_handshake(session_, fd_); });
    if (rc == LIBSSH2_ERROR_TIMEOUT) {
        return false;
    }
    if (rc != 0) {
        failure.what = "SSH handshake: " + describe(rc);
        if (!held.empty() &&
            (rc == LIBSSH2_ERROR_KEX_FAILURE || rc == LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE) &&
            !lost()) {
            failure.what += " (only the host key types that " + options.knownHostsFile +
                            " holds for it were accepted: " + held + ")";
            failure.permanent = true;
        }
        return false;
    }
    broken_ = false;
    const auto verdict = known.verify(options.host, options.port, options.trustOnFirstUse);
    if (!verdict.error.empty()) {
        failure.what = verdict.error;
        failure.permanent = verdict.permanent;
        return false;
    }
    return true;
}

SshSession::~SshSession() {
    if (session_ != nullptr) {
        if (!broken() && !sendPending()) {
            // One attempt: a goodbye the socket cannot take at once is not worth waiting for.
            libssh2_session_disconnect(session_, "chainvisord closing the connection");
        }
        // With the socket shut down, freeing cannot wait on the server: a channel still open
        // fails to send its close at once instead of blocking.
        if (fd_ >= 0) {
            ::shutdown(fd_, SHUT_RDWR);
        }
        // Should a channel still ask to wait, the few bytes are left rather than the thread.
        for (int i = 0; i < 8 && libssh2_session_free(session_) == LIBSSH2_ERROR_EAGAIN; ++i) {
        }
    }
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void SshSession::wait(Clock::time_point until, bool alsoInput) const {
    const int directions = libssh2_session_block_directions(session_);
    short events = 0;
    if (alsoInput || (directions & LIBSSH2_SESSION_BLOCK_INBOUND) != 0) {
        events |= POLLIN;
    }
    if ((directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0) {
        events |= POLLOUT;
    }
    if (events == 0) {
        events = POLLIN;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    pollfd p{fd_, events, 0};
    ::poll(&p, 1, static_cast<int>(std::clamp<long long>(left, 0, 60'000)));
}

bool SshSession::sendPending() const {
    return (libssh2_session_block_directions(session_) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

int SshSession::keepalive() {
    if (broken()) {
        return -1;
    }
    int queued = 0;
    if (sendPending() || ::ioctl(fd_, SIOCOUTQ, &queued) != 0 || queued > 0) {
        return 1;  // busy: the next chance is soon enough
    }
    int next = 0;
    if (libssh2_keepalive_send(session_, &next) != 0 || lost()) {
        broken_ = true;
        return -1;
    }
    if (sendPending()) {
        // libssh2 would only finish this packet at the next keep-alive, blocking every other
        // send until then; an empty send queue makes this all but impossible.
        broken_ = true;
        return -1;
    }
    return next;
}

bool SshSession::peerClosed() const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) {
        return false;
    }
    if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
        return true;
    }
    char byte = 0;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    // Bytes waiting are the server's keep-alive traffic, for libssh2 to read at the next use.
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

std::string SshSession::describe(int rc) const {
    if (socketError_ != 0) {
        return std::strerror(socketError_);
    }
    if (socketEnd_) {
        return "the server closed the connection";
    }
    char* message = nullptr;
    int length = 0;
    libssh2_session_last_error(session_, &message, &length, 0);
    if (message != nullptr && length > 0) {
        return std::string(message, static_cast<std::size_t>(length));
    }
    return "libssh2 error " + std::to_string(rc);
}

}  // namespace chainvisor::net::detail
