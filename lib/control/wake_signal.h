// Where long-polling requests wait for "something changed" (new events, a finished pass) without
// holding the io thread: each waiter is a timer set to its deadline, and notify() cuts every
// current wait short. Waiters re-check their condition after each wake, so a spurious wake
// costs a check and a missed one cannot happen (all of it runs on the one io thread).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <list>

namespace chainvisor::control {

class WakeSignal {
public:
    explicit WakeSignal(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
    WakeSignal(const WakeSignal&) = delete;
    WakeSignal& operator=(const WakeSignal&) = delete;

    // Returns at the next notify() or at `deadline`, whichever comes first.
    boost::asio::awaitable<void> wait(std::chrono::steady_clock::time_point deadline);

    // Wakes every current waiter. Io thread only.
    void notify();

    std::size_t waiting() const { return waiters_.size(); }

private:
    boost::asio::any_io_executor executor_;
    std::list<boost::asio::steady_timer*> waiters_;
};

}  // namespace chainvisor::control
