#include "net/ssh_session_pool.h"

#include <utility>

namespace chainvisor::net::detail {

SessionPool::SessionPool(std::size_t capacity) : capacity_(capacity) {}

SessionPool::~SessionPool() = default;

SessionPool::Lease SessionPool::acquire(Clock::time_point deadline) {
    std::vector<std::unique_ptr<SshSession>> dead;  // closed after the lock is released
    Lease lease;
    {
        std::unique_lock lock(mutex_);
        for (;;) {
            while (!idle_.empty()) {
                auto candidate = std::move(idle_.back());
                idle_.pop_back();
                if (!candidate->peerClosed()) {
                    lease.session = std::move(candidate);
                    lease.granted = true;
                    return lease;
                }
                candidate->markBroken();
                dead.push_back(std::move(candidate));
                --open_;
            }
            if (open_ < capacity_) {
                ++open_;
                lease.granted = true;
                break;
            }
            if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
                open_ >= capacity_) {
                break;
            }
        }
    }
    return lease;
}

void SessionPool::release(std::unique_ptr<SshSession> session) {
    if (session != nullptr && !session->broken()) {
        const std::lock_guard lock(mutex_);
        idle_.push_back(std::move(session));
    } else {
        const std::lock_guard lock(mutex_);
        --open_;
    }
    // A broken `session` is closed here, outside the lock.
    returned_.notify_one();
}

void SessionPool::visitIdle(const std::function<bool(SshSession&)>& visit) {
    std::vector<std::unique_ptr<SshSession>> dead;
    {
        const std::lock_guard lock(mutex_);
        for (auto it = idle_.begin(); it != idle_.end();) {
            if (visit(**it)) {
                ++it;
                continue;
            }
            (*it)->markBroken();
            dead.push_back(std::move(*it));
            it = idle_.erase(it);
            --open_;
        }
    }
    if (!dead.empty()) {
        returned_.notify_all();
    }
}

std::size_t SessionPool::idleCount() const {
    const std::lock_guard lock(mutex_);
    return idle_.size();
}

}  // namespace chainvisor::net::detail
