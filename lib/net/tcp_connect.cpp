#include "net/tcp_connect.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/resolve.h"

namespace chainvisor::net::detail {

namespace {

using Clock = std::chrono::steady_clock;

int millisecondsUntil(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

// 0 when connected; an errno otherwise (ETIMEDOUT when the deadline passed).
int connectOne(int fd, const sockaddr* address, socklen_t length, Clock::time_point deadline) {
    if (::connect(fd, address, length) == 0) {
        return 0;
    }
    if (errno != EINPROGRESS) {
        return errno;
    }
    for (;;) {
        pollfd p{fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, millisecondsUntil(deadline));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            return errno;
        }
        if (ready == 0) {
            if (Clock::now() >= deadline) {
                return ETIMEDOUT;
            }
            continue;
        }
        int error = 0;
        socklen_t size = sizeof(error);
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
            return errno;
        }
        return error;
    }
}

}  // namespace

TcpConnected tcpConnect(const std::string& host, std::uint16_t port, Clock::time_point deadline) {
    TcpConnected out;
    const auto resolved = resolveHost(host, port, deadline);
    if (resolved.timedOut) {
        out.error = "resolving " + host + " did not finish in time";
        out.timedOut = true;
        return out;
    }
    if (!resolved.error.empty()) {
        out.error = resolved.error;
        return out;
    }
    int lastError = 0;
    for (const auto& endpoint : resolved.endpoints) {
        const int fd = ::socket(endpoint.protocol().family(),
                                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0) {
            lastError = errno;
            continue;
        }
        lastError =
            connectOne(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size()), deadline);
        if (lastError == 0) {
            const int one = 1;
            // Commands and their replies are small exchanges: no Nagle delay.
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            out.fd = fd;
            return out;
        }
        ::close(fd);
        if (lastError == ETIMEDOUT && Clock::now() >= deadline) {
            out.timedOut = true;
            break;
        }
    }
    out.error = std::string("connect: ") + std::strerror(lastError);
    return out;
}

}  // namespace chainvisor::net::detail
