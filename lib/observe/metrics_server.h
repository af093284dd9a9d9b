// The HTTP/1.1 endpoint Prometheus scrapes: GET|HEAD /metrics, a tiny index page at /, 404
// elsewhere, 405 for other methods. It runs on the daemon's io_context next to everything else,
// so each connection has a deadline on every read and write and their number is capped: a slow
// or hostile client costs one socket for a bounded time, never the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace chainvisor::observe {

// 127.0.0.1:19818 by default, not 9818. The exporter range of Prometheus' "Default port
// allocations" wiki, 9100-9999, has been fully allocated since 2023, a published exporter
// (time-exporter) already defaults to 9818, and Prometheus' guide to writing exporters asks
// internal applications to stay outside that range. 19818 is below Linux's ephemeral ports
// (32768-60999), absent from /etc/services, and none of Proxmox VE's (85, 3128, 5900-5999,
// 8006), Besu's (8545, 8546, 8551, 9545, 30303), BitCell's (30333-30335), Prometheus' (9090,
// 9093) or Grafana's (3000) ports.
inline constexpr std::uint16_t kDefaultMetricsPort = 19818;

struct MetricsServerOptions {
    // For the whole of one request, and for the next one on a kept-alive connection.
    std::chrono::milliseconds readTimeout{std::chrono::seconds(10)};
    std::chrono::milliseconds writeTimeout{std::chrono::seconds(10)};
    // Connections beyond this are closed as soon as they are accepted. Prometheus needs one.
    std::size_t maxConnections = 32;
    std::uint32_t headerLimit = 8 * 1024;  // bytes; larger requests get 431
    std::uint64_t bodyLimit = 4 * 1024;    // bytes; GET and HEAD carry none; larger get 413
};

class MetricsServer {
public:
    // Returns the exposition text; called on the io thread for every GET and HEAD of /metrics.
    using Scrape = std::function<std::string()>;

    MetricsServer(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
                  MetricsServerOptions options, Scrape scrape);
    // Stops. Like start() and stop(), runs on the io thread or while the io_context is not
    // running.
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // Binds and starts accepting on the io_context. An error says what and where, e.g.
    // "cannot serve metrics on 127.0.0.1:19818: the address is already in use (…)".
    [[nodiscard]] std::optional<std::string> start();
    // Closes the listening socket and every connection at once; the scrape callback is not
    // called again. Idempotent.
    void stop();

    // The bound port (the kernel's choice when the endpoint asked for 0); 0 before start().
    std::uint16_t port() const;
    // Connections open now. Safe from any thread (tests poll it).
    std::size_t connections() const;

private:
    struct Shared;
    // Shared with the coroutines serving connections: they can outlive this object by the
    // moment it takes the io_context to deliver their cancellation.
    std::shared_ptr<Shared> shared_;
};

}  // namespace chainvisor::observe
