#include "net/resolve.h"

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace chainvisor::net::detail {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Shared by the waiting caller and the lookup thread, which may outlive the caller's interest.
struct Lookup {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    Resolved result;
};

}  // namespace

Resolved resolveHost(const std::string& host, std::uint16_t port,
                     std::chrono::steady_clock::time_point deadline) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec) {
        return Resolved{{tcp::endpoint(address, port)}, {}, false};
    }
    auto lookup = std::make_shared<Lookup>();
    std::thread([lookup, host, port] {
        Resolved result;
        asio::io_context io;
        tcp::resolver resolver(io);
        boost::system::error_code error;
        const auto found =
            resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, error);
        if (error) {
            result.error = "cannot resolve " + host + ": " + error.message();
        } else {
            for (const auto& entry : found) {
                result.endpoints.push_back(entry.endpoint());
            }
            if (result.endpoints.empty()) {
                result.error = "cannot resolve " + host + ": no address";
            }
        }
        const std::lock_guard lock(lookup->mutex);
        lookup->result = std::move(result);
        lookup->finished = true;
        lookup->done.notify_all();
    }).detach();

    std::unique_lock lock(lookup->mutex);
    if (!lookup->done.wait_until(lock, deadline, [&] { return lookup->finished; })) {
        return Resolved{{}, "resolving " + host + " did not finish in time", true};
    }
    return std::move(lookup->result);
}

}  // namespace chainvisor::net::detail
