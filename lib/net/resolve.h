// Internal to the HTTPS client: a host name lookup bounded by a deadline. getaddrinfo cannot be
// cancelled, so a lookup that outlives its deadline is abandoned to finish on its own thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace chainvisor::net::detail {

struct Resolved {
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    std::string error;  // empty when endpoints holds at least one address
    bool timedOut = false;
};

// An IP literal is returned as it is, without a lookup.
Resolved resolveHost(const std::string& host, std::uint16_t port,
                     std::chrono::steady_clock::time_point deadline);

}  // namespace chainvisor::net::detail
