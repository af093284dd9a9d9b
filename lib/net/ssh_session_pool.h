// Internal to the SSH client: the connections to one host, at most `capacity` of them, idle
// ones kept for the next command. A command that finds none idle and the limit reached waits
// for one to come back.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "net/ssh_session.h"

namespace chainvisor::net::detail {

class SessionPool {
public:
    explicit SessionPool(std::size_t capacity);
    ~SessionPool();
    SessionPool(const SessionPool&) = delete;
    SessionPool& operator=(const SessionPool&) = delete;

    struct Lease {
        bool granted = false;                 // false: the deadline passed while waiting
        std::unique_ptr<SshSession> session;  // null when granted: a slot to open one in
    };
    // The most recently used idle connection that the server has not closed (closed ones are
    // dropped on the way), else a free slot; waits for either until `deadline`.
    Lease acquire(Clock::time_point deadline);
    // Ends a lease: a healthy session goes idle; a broken one, or null, frees its slot.
    void release(std::unique_ptr<SshSession> session);
    // Calls `visit` on each idle session, holding the lock (so it must not block); those it
    // returns false for are closed.
    void visitIdle(const std::function<bool(SshSession&)>& visit);

    std::size_t idleCount() const;

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable returned_;
    std::size_t open_ = 0;                           // idle, lent out, or being opened
    std::vector<std::unique_ptr<SshSession>> idle_;  // least recently used first
};

}  // namespace chainvisor::net::detail
