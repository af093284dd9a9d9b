// The node-local config lock /run/lock/lxc/pve-config-VMID.lock: one holder per vmid, waiters
// queue up to a deadline and then fail with "got timeout", as flock with a timeout does.
// Single-threaded: used from the io_context's one thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>

namespace pvesim {

struct LockTable;

// Holds a vmid's lock until destroyed (or released). Safe to outlive the ConfigLocks (as
// abandoned tasks do at shutdown): releasing then does nothing.
class LockGuard {
public:
    LockGuard(std::weak_ptr<LockTable> table, int vmid) : table_(std::move(table)), vmid_(vmid) {}
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;
    ~LockGuard() { release(); }
    void release();

private:
    std::weak_ptr<LockTable> table_;
    int vmid_;
};

struct LockWaiter {
    explicit LockWaiter(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    boost::asio::steady_timer timer;
    bool granted = false;
};

struct LockTable {
    struct Entry {
        bool held = false;
        std::deque<std::shared_ptr<LockWaiter>> queue;
    };
    std::map<int, Entry> entries;
    void release(int vmid);
};

class ConfigLocks {
public:
    explicit ConfigLocks(boost::asio::any_io_executor ex)
        : ex_(std::move(ex)), table_(std::make_shared<LockTable>()) {}

    // Waits up to `timeout` for the lock; an empty pointer means "got timeout".
    boost::asio::awaitable<std::shared_ptr<LockGuard>> acquire(int vmid,
                                                               std::chrono::milliseconds timeout);
    bool held(int vmid) const;
    std::size_t waiters(int vmid) const;

    // "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout"
    static std::string timeout_message(int vmid);

private:
    boost::asio::any_io_executor ex_;
    std::shared_ptr<LockTable> table_;
};

}  // namespace pvesim
