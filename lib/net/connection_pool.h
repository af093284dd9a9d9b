// Internal to the HTTPS client: idle keep-alive connections waiting for the next request.
// Bounded; newest first; a connection idle too long or closed by the server is dropped on the
// way out instead of being handed to a request.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "net/tls_connection.h"

namespace chainvisor::net::detail {

class ConnectionPool {
public:
    ConnectionPool(std::size_t capacity, Clock::duration maxIdle);

    // A live idle connection, or null when there is none.
    std::unique_ptr<TlsConnection> take(Clock::time_point now);
    // Keeps the connection unless the pool is full (then it is closed).
    void put(std::unique_ptr<TlsConnection> connection, Clock::time_point now);

    std::size_t idleCount() const;

private:
    const std::size_t capacity_;
    const Clock::duration maxIdle_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<TlsConnection>> idle_;  // oldest first
};

}  // namespace chainvisor::net::detail
