#include "locks.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pvesim {

namespace asio = boost::asio;

void LockGuard::release() {
    if (auto table = table_.lock()) {
        table->release(vmid_);
    }
    table_.reset();
}

void LockTable::release(int vmid) {
    auto it = entries.find(vmid);
    if (it == entries.end()) {
        return;
    }
    Entry& e = it->second;
    if (!e.queue.empty()) {
        // Hand the lock straight to the oldest waiter: it stays held.
        auto next = e.queue.front();
        e.queue.pop_front();
        next->granted = true;
        next->timer.cancel();
        return;
    }
    entries.erase(it);
}

std::string ConfigLocks::timeout_message(int vmid) {
    return "can't lock file '/run/lock/lxc/pve-config-" + std::to_string(vmid) +
           ".lock' - got timeout";
}

asio::awaitable<std::shared_ptr<LockGuard>> ConfigLocks::acquire(
    int vmid, std::chrono::milliseconds timeout) {
    std::shared_ptr<LockTable> table = table_;
    LockTable::Entry& e = table->entries[vmid];
    if (!e.held) {
        e.held = true;
        co_return std::make_shared<LockGuard>(table, vmid);
    }
    auto waiter = std::make_shared<LockWaiter>(ex_);
    waiter->timer.expires_after(timeout);
    e.queue.push_back(waiter);
    boost::system::error_code ec;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (waiter->granted) {
        co_return std::make_shared<LockGuard>(table, vmid);
    }
    auto& q = table->entries[vmid].queue;
    for (auto it = q.begin(); it != q.end(); ++it) {
        if (*it == waiter) {
            q.erase(it);
            break;
        }
    }
    co_return nullptr;
}

bool ConfigLocks::held(int vmid) const {
    auto it = table_->entries.find(vmid);
    return it != table_->entries.end() && it->second.held;
}

std::size_t ConfigLocks::waiters(int vmid) const {
    auto it = table_->entries.find(vmid);
    return it == table_->entries.end() ? 0 : it->second.queue.size();
}

}  // namespace pvesim
