#include "control/wake_signal.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chainvisor::control {

namespace asio = boost::asio;

boost::asio::awaitable<void> WakeSignal::wait(std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer timer(executor_, deadline);
    const auto entry = waiters_.insert(waiters_.end(), &timer);
    // Leaves the list however the wait ends, a destroyed coroutine frame included.
    struct Leave {
        std::list<asio::steady_timer*>& list;
        std::list<asio::steady_timer*>::iterator entry;
        ~Leave() { list.erase(entry); }
    } leave{waiters_, entry};
    boost::system::error_code ec;  // operation_aborted: notified
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void WakeSignal::notify() {
    for (auto* timer : waiters_) {
        timer->cancel();
    }
}

}  // namespace chainvisor::control
