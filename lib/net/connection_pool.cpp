#include "net/connection_pool.h"

#include <algorithm>

namespace chainvisor::net::detail {

ConnectionPool::ConnectionPool(std::size_t capacity, Clock::duration maxIdle)
    : capacity_(capacity), maxIdle_(maxIdle) {}

std::unique_ptr<TlsConnection> ConnectionPool::take(Clock::time_point now) {
    for (;;) {
        std::unique_ptr<TlsConnection> candidate;
        std::vector<std::unique_ptr<TlsConnection>> expired;
        {
            const std::lock_guard lock(mutex_);
            // The oldest come first: those idle too long are closed (outside the lock).
            const auto fresh = std::find_if(idle_.begin(), idle_.end(), [&](const auto& c) {
                return now - c->idleSince < maxIdle_;
            });
            expired.assign(std::make_move_iterator(idle_.begin()), std::make_move_iterator(fresh));
            idle_.erase(idle_.begin(), fresh);
            if (idle_.empty()) {
                return nullptr;
            }
            candidate = std::move(idle_.back());
            idle_.pop_back();
        }
        if (!candidate->peerClosed()) {
            return candidate;
        }
    }
}

void ConnectionPool::put(std::unique_ptr<TlsConnection> connection, Clock::time_point now) {
    connection->disarm();
    connection->idleSince = now;
    const std::lock_guard lock(mutex_);
    if (idle_.size() < capacity_) {
        idle_.push_back(std::move(connection));
    }
    // Otherwise `connection` is closed on return.
}

std::size_t ConnectionPool::idleCount() const {
    const std::lock_guard lock(mutex_);
    return idle_.size();
}

}  // namespace chainvisor::net::detail
