// Internal to the SSH client: a TCP connection opened with a deadline (name lookup included),
// handed over as a non-blocking socket for libssh2 to drive.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace chainvisor::net::detail {

struct TcpConnected {
    int fd = -1;        // non-blocking, close-on-exec, TCP_NODELAY; the caller owns it
    std::string error;  // "connect: Connection refused", "cannot resolve …"; empty on success
    bool timedOut = false;
};

// Tries each address of `host` in turn until one accepts; the error is the last address's.
TcpConnected tcpConnect(const std::string& host, std::uint16_t port,
                        std::chrono::steady_clock::time_point deadline);

}  // namespace chainvisor::net::detail
