// The control socket server: HTTP/1.1 with JSON bodies over a Unix stream socket, for
// chainvisorctl (and curl --unix-socket). It runs on the daemon's io_context, the thread that
// owns the engine, so the ControlApi is called without locks; long-polls wait on timers that
// notifyEvents()/notifyPassCompleted() cut short, never blocking the thread.
//
// Who may do what: anyone who can connect may read (the socket file is root:chainvisor 0660);
// POST requests are for root, the daemon's own user and members of the group, checked against
// the peer's kernel credentials. Every POST is recorded in the audit log, refusals included.
//
// Limits: a read and a write timeout on every request, bounded long-polls, a connection limit
// (further connections get a 503), a request body limit (413).
//
// Life: construct, start() (before or on the io thread), stop() on the io thread. After stop()
// the io_context must be run until this server's work has ended (io.run() returning does that)
// before the server is destroyed: connections end by themselves within the write timeout.
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <cstdint>
#include <filesystem>
#include <list>
#include <optional>
#include <string>

#include "control/audit_log.h"
#include "control/control_api.h"
#include "control/control_routes.h"
#include "control/peer_credentials.h"
#include "control/server_options.h"
#include "control/socket_file.h"

namespace chainvisor::control {

class ControlServer {
public:
    // `blocking`: where the audit log's fsync runs (the daemon's thread pool); without it, the
    // io thread writes the audit records itself.
    ControlServer(boost::asio::io_context& io, ControlApi& api, AuditLog& audit,
                  ControlServerOptions options,
                  std::optional<boost::asio::any_io_executor> blocking = std::nullopt);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Makes the socket (replacing a stale one) and starts accepting. Returns "" or why not:
    // another server answers on the path, something that is not a socket is there, …
    std::string start();

    // Stops accepting and removes the socket file; idle connections close, long-polls end with
    // 503, requests being answered finish. Io thread only; idempotent.
    void stop();

    // The daemon calls these (io thread) when events were emitted and when a pass completed.
    void notifyEvents();
    void notifyPassCompleted(std::uint64_t pass);

    const std::filesystem::path& socketPath() const { return options_.socketPath; }
    // Open connections (answered ones; refused ones not counted) and long-polls waiting.
    std::size_t connections() const { return serving_; }
    std::size_t waiting() const { return routes_.waiting(); }

private:
    using Stream = boost::beast::basic_stream<boost::asio::local::stream_protocol>;
    struct Connection {
        Stream* stream;
        bool idle;  // waiting for a request: stop() may close it
    };
    class Registration;

    boost::asio::awaitable<void> acceptLoop();
    boost::asio::awaitable<void> serve(Stream stream, PeerCredentials peer);
    boost::asio::awaitable<void> refuse(Stream stream);
    boost::asio::awaitable<void> writeAudit(AuditRecord record);

    boost::asio::io_context& io_;
    AuditLog& audit_;
    ControlServerOptions options_;
    std::optional<boost::asio::any_io_executor> blocking_;
    Authorizer authorizer_;
    ControlRoutes routes_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer acceptPause_;
    std::list<Connection> connections_;
    std::size_t serving_ = 0;
    std::size_t refusing_ = 0;
    FileIdentity socketFile_;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace chainvisor::control
