#include "control/control_server.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "control/client_text.h"
#include "os/atomic_file.h"

namespace chainvisor::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr mode_t kSocketMode = 0660;
constexpr std::size_t kHeaderLimit = 16 * 1024;
// After a failed accept (out of file descriptors), before trying again: no busy loop.
constexpr std::chrono::milliseconds kAcceptPause{100};

// Logs what ended a coroutine with an exception; the server keeps going.
auto logFailure(const char* what) {
    return [what](const std::exception_ptr& error) {
        if (!error) {
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("control socket: {} failed: {}", what, e.what());
        }
    };
}

asio::awaitable<void> recordAudit(AuditLog& audit, AuditRecord record) {
    // The user name may come from NSS (LDAP, sssd), which can block: this runs off the io thread.
    if (record.uid && record.who.empty()) {
        record.who = userName(*record.uid);
    }
    if (auto error = audit.record(std::move(record)); !error.empty()) {
        spdlog::error("{}", error);
    }
    co_return;
}

// A reply for a request the transport rejected before it could be routed.
http::status statusFor(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) {
        return http::status::payload_too_large;
    }
    if (ec == http::error::header_limit) {
        return http::status::request_header_fields_too_large;
    }
    return http::status::bad_request;
}

std::string messageFor(const boost::system::error_code& ec, std::size_t maxBody) {
    if (ec == http::error::body_limit) {
        return "request body too large (at most " + std::to_string(maxBody) + " bytes)";
    }
    if (ec == http::error::header_limit) {
        return "request header too large";
    }
    return "malformed HTTP request: " + ec.message();
}

// Errors after which the peer gets a reply explaining the refusal; others (end of stream,
// timeouts, a reset) just end the connection.
bool isRequestError(const boost::system::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

// Lists a connection for stop() for as long as its coroutine lives.
class ControlServer::Registration {
public:
    Registration(ControlServer& server, Stream& stream, bool serving)
        : server_(server),
          entry_(server.connections_.insert(server.connections_.end(), {&stream, false})),
          serving_(serving) {
        ++(serving ? server_.serving_ : server_.refusing_);
    }
    ~Registration() {
        --(serving_ ? server_.serving_ : server_.refusing_);
        server_.connections_.erase(entry_);
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    void idle(bool value) { entry_->idle = value; }

private:
    ControlServer& server_;
    std::list<Connection>::iterator entry_;
    bool serving_;
};

ControlServer::ControlServer(asio::io_context& io, ControlApi& api, AuditLog& audit,
                             ControlServerOptions options,
                             std::optional<asio::any_io_executor> blocking)
    : io_(io),
      audit_(audit),
      options_(std::move(options)),
      blocking_(std::move(blocking)),
      authorizer_(options_.group, groupId(options_.group)),
      routes_(io.get_executor(), api, options_, authorizer_),
      acceptor_(io),
      acceptPause_(io) {}

ControlServer::~ControlServer() {
    stop();
}

std::string ControlServer::start() {
    const auto& path = options_.socketPath;
    if (path.empty() || path.is_relative()) {
        return "control socket path '" + path.string() + "' must be absolute";
    }
    if (auto error = os::ensureDirectory(path.parent_path(), 0755); !error.empty()) {
        return "control socket directory: " + error;
    }
    if (auto error = clearStaleSocket(path); !error.empty()) {
        return error;
    }
    // Bound under a temporary name first: the socket must not be reachable at `path` before its
    // group and mode are set.
    const auto temporary = temporarySocketPath(path);
    ::unlink(temporary.c_str());  // a leftover of a crashed run with our pid
    boost::system::error_code ec;
    acceptor_.open(local(), ec);
    if (!ec) {
        acceptor_.bind(local::endpoint(temporary.string()), ec);
    }
    if (!ec) {
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        acceptor_.close();
        ::unlink(temporary.c_str());
        return "cannot listen on " + temporary.string() + ": " + ec.message();
    }
    const auto group = authorizer_.gid();
    if (!group) {
        spdlog::warn(
            "group '{}' does not exist: the control socket keeps the daemon's group and only "
            "root may change things (create it: addgroup --system {})",
            options_.group, options_.group);
    }
    if (auto error = publishSocket(temporary, path, group, kSocketMode, socketFile_);
        !error.empty()) {
        acceptor_.close();
        return error;
    }
    started_ = true;
    asio::co_spawn(io_, acceptLoop(), logFailure("accepting"));
    spdlog::info("control socket {} (mode 0660, group {})", path.string(),
                 group ? options_.group : std::string("of the daemon"));
    return {};
}

void ControlServer::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    routes_.stop();
    boost::system::error_code ec;
    acceptor_.close(ec);
    acceptPause_.cancel();
    for (auto& connection : connections_) {
        if (connection.idle) {
            connection.stream->cancel();
        }
    }
    if (started_) {
        removeSocketIfOurs(options_.socketPath, socketFile_);
    }
}

void ControlServer::notifyEvents() {
    routes_.notifyEvents();
}

void ControlServer::notifyPassCompleted(std::uint64_t pass) {
    routes_.notifyPassCompleted(pass);
}

asio::awaitable<void> ControlServer::acceptLoop() {
    while (!stopped_) {
        auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
        if (stopped_) {
            break;
        }
        if (ec) {
            spdlog::warn("control socket: accept: {}", ec.message());
            acceptPause_.expires_after(kAcceptPause);
            co_await acceptPause_.async_wait(kTuple);
            continue;
        }
        std::string error;
        auto peer = readPeerCredentials(socket.native_handle(), error);
        if (!peer) {
            spdlog::warn("control socket: {}; connection closed", error);
            continue;
        }
        if (serving_ >= options_.maxConnections) {
            // Refusals are bounded too: past that, a connection is just closed.
            if (refusing_ < options_.maxConnections) {
                asio::co_spawn(io_, refuse(Stream(std::move(socket))), logFailure("refusing"));
            }
            continue;
        }
        asio::co_spawn(io_, serve(Stream(std::move(socket)), std::move(*peer)),
                       logFailure("a connection"));
    }
}

asio::awaitable<void> ControlServer::serve(Stream stream, PeerCredentials peer) {
    Registration registration(*this, stream, true);
    beast::flat_buffer buffer;
    bool keepAlive = true;
    while (keepAlive && !stopped_) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(options_.maxBodyBytes);
        registration.idle(true);
        stream.expires_after(options_.readTimeout);
        auto [readError, readBytes] = co_await http::async_read(stream, buffer, parser, kTuple);
        registration.idle(false);
        if (readError) {
            if (!isRequestError(readError)) {
                break;  // closed, timed out, or stop() closed an idle connection
            }
            // Refused before routing; a POST among them is still an attempted change. (The
            // request line is known even when the header as a whole was refused.)
            if (parser.get().method() == http::verb::post) {
                // A named record, not a braced temporary in the co_await: GCC 12 destroys such
                // temporaries twice.
                AuditRecord record;
                record.uid = peer.uid;
                record.pid = peer.pid;
                record.action = "POST " + clientText(parser.get().target());
                record.outcome = AuditOutcome::Error;
                record.message = messageFor(readError, options_.maxBodyBytes);
                co_await writeAudit(std::move(record));
            }
            auto response =
                errorReply(statusFor(readError), messageFor(readError, options_.maxBodyBytes));
            response.keep_alive(false);
            stream.expires_after(options_.writeTimeout);
            co_await http::async_write(stream, response, kTuple);
            break;
        }
        // The handler bounds its own waits; the write gets a fresh deadline below.
        stream.expires_never();
        Request request = parser.release();
        Handled handled = co_await routes_.handle(request, peer);
        if (handled.audit) {
            co_await writeAudit(std::move(*handled.audit));
        }
        keepAlive = request.keep_alive() && !stopped_;
        handled.response.keep_alive(keepAlive);
        handled.response.set(http::field::server, options_.version.empty()
                                                      ? std::string("chainvisord")
                                                      : "chainvisord/" + options_.version);
        stream.expires_after(options_.writeTimeout);
        auto [writeError, writeBytes] =
            co_await http::async_write(stream, handled.response, kTuple);
        if (writeError) {
            break;
        }
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(local::socket::shutdown_send, ignored);
}

asio::awaitable<void> ControlServer::refuse(Stream stream) {
    Registration registration(*this, stream, false);
    // Read the request first: a reply sent while the client is still writing could be lost to
    // its broken pipe.
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options_.maxBodyBytes);
    registration.idle(true);
    stream.expires_after(options_.readTimeout);
    auto [readError, readBytes] = co_await http::async_read(stream, buffer, parser, kTuple);
    registration.idle(false);
    if (readError) {
        co_return;
    }
    auto response = errorReply(http::status::service_unavailable,
                               "too many connections to chainvisord (" +
                                   std::to_string(options_.maxConnections) + "); try again");
    response.keep_alive(false);
    stream.expires_after(options_.writeTimeout);
    co_await http::async_write(stream, response, kTuple);
    boost::system::error_code ignored;
    stream.socket().shutdown(local::socket::shutdown_send, ignored);
}

asio::awaitable<void> ControlServer::writeAudit(AuditRecord record) {
    if (blocking_) {
        co_await asio::co_spawn(*blocking_, recordAudit(audit_, std::move(record)),
                                asio::use_awaitable);
    } else {
        co_await recordAudit(audit_, std::move(record));
    }
}

}  // namespace chainvisor::control
