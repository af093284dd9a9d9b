#include "observe/metrics_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <map>
#include <string_view>

namespace chainvisor::observe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Every I/O error comes back as a value: no exception leaves a socket operation.
constexpr auto kAsValues = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view kExposition = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kServer = "chainvisord";
constexpr std::string_view kIndex =
    "<!DOCTYPE html>\n"
    "<html><head><title>chainvisord</title></head>\n"
    "<body><h1>chainvisord</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

// After a failed accept (out of descriptors, say) the listening socket is still good: wait a
// moment and accept again, instead of spinning on the error.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// What an error response's lingering close reads and throws away at most (see linger()).
constexpr std::size_t kLingerBytes = 64 * 1024;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Exceptions: none is expected (I/O errors are values, the scrape's are caught in respond()).
// Anything else is a bug or out-of-memory, and leaves io_context::run() for the daemon to die on.
void rethrow(std::exception_ptr failure) {
    if (failure) {
        std::rethrow_exception(failure);
    }
}

std::string describe(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    const std::string host =
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return host + ":" + std::to_string(endpoint.port());
}

std::string listenError(const tcp::endpoint& endpoint, const error_code& ec) {
    std::string why;
    if (ec == asio::error::address_in_use) {
        why =
            "the address is already in use (another chainvisord, or another program listening "
            "there); stop it or choose another address for the metrics listener";
    } else if (ec == asio::error::access_denied) {
        why =
            "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE); choose a port "
            "above 1023";
    } else if (ec == boost::system::errc::address_not_available) {
        why =
            "no interface of this machine has that address; use 127.0.0.1 or one of its own "
            "addresses";
    } else {
        why = ec.message();
    }
    return "cannot serve metrics on " + describe(endpoint) + ": " + why;
}

Response plain(http::status status, unsigned version, std::string body) {
    Response response{status, version};
    response.set(http::field::server, kServer);
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::move(body);
    return response;
}

// A request the parser refused: answered, then the connection is closed.
Response refusal(http::status status, std::string body) {
    Response response = plain(status, 11, std::move(body));
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

// The answer to a request the parser gave up on; empty when there is no one to answer: the
// client left, went quiet past the read timeout, or stop() closed the connection.
std::optional<Response> refusalFor(const error_code& ec) {
    if (ec == http::error::body_limit) {
        return refusal(http::status::payload_too_large, "request body too large\n");
    }
    if (ec == http::error::header_limit) {
        return refusal(http::status::request_header_fields_too_large, "request header too large\n");
    }
    const bool parseError =
        ec.category() == http::make_error_code(http::error::bad_target).category();
    if (parseError && ec != http::error::end_of_stream && ec != http::error::partial_message) {
        return refusal(http::status::bad_request, "malformed HTTP request\n");
    }
    return std::nullopt;
}

Response respond(const Request& request, const MetricsServer::Scrape& scrape) {
    std::string_view path = request.target();
    path = path.substr(0, path.find('?'));  // a query changes nothing here
    const bool head = request.method() == http::verb::head;
    const bool get = request.method() == http::verb::get;

    Response response;
    if (path != "/metrics" && path != "/") {
        response = plain(http::status::not_found, request.version(),
                         "not found: metrics are served at /metrics\n");
    } else if (!get && !head) {
        response = plain(http::status::method_not_allowed, request.version(),
                         "method not allowed: use GET or HEAD\n");
        response.set(http::field::allow, "GET, HEAD");
    } else if (path == "/") {
        response = plain(http::status::ok, request.version(), std::string(kIndex));
        response.set(http::field::content_type, "text/html; charset=utf-8");
    } else {
        try {
            response = plain(http::status::ok, request.version(), scrape());
            response.set(http::field::content_type, kExposition);
        } catch (const std::exception& e) {
            response = plain(http::status::internal_server_error, request.version(),
                             std::string("scrape failed: ") + e.what() + "\n");
        }
    }
    response.keep_alive(request.keep_alive());
    if (head) {
        // The length a GET would have; the body itself is not sent.
        response.content_length(response.body().size());
        response.body().clear();
    } else {
        response.prepare_payload();
    }
    return response;
}

}  // namespace

struct MetricsServer::Shared {
    Shared(asio::io_context& io, tcp::endpoint where, MetricsServerOptions opts, Scrape s)
        : acceptor(io),
          retry(io),
          endpoint(std::move(where)),
          options(opts),
          scrape(std::move(s)) {}

    asio::awaitable<void> accept(std::shared_ptr<Shared> self);
    asio::awaitable<void> serve(std::shared_ptr<Shared> self, tcp::socket socket);
    asio::awaitable<void> linger(beast::tcp_stream& stream);

    tcp::acceptor acceptor;
    asio::steady_timer retry;
    tcp::endpoint endpoint;
    MetricsServerOptions options;
    Scrape scrape;

    // Touched on the io thread only.
    std::map<std::uint64_t, beast::tcp_stream*> open;  // closed by stop()
    std::uint64_t nextId = 0;
    std::size_t active = 0;  // sessions spawned and not yet ended
    bool started = false;
    bool stopped = false;

    std::atomic<std::uint16_t> port{0};
    std::atomic<std::size_t> connections{0};
};

asio::awaitable<void> MetricsServer::Shared::accept(std::shared_ptr<Shared> self) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(kAsValues);
        if (stopped) {
            co_return;
        }
        if (ec) {
            if (ec == asio::error::operation_aborted) {
                co_return;
            }
            spdlog::warn("metrics: accept on {} failed: {}; retrying", describe(endpoint),
                         ec.message());
            retry.expires_after(kAcceptRetry);
            co_await retry.async_wait(kAsValues);
            continue;
        }
        if (active >= options.maxConnections) {
            // Over the limit: no answer at all, so a flood costs nothing but the accept.
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        // Answers go out whole at once; without this Nagle holds a response's tail back until
        // the client's delayed ACK, 40 ms on Linux, on every kept-alive scrape.
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        ++active;
        connections.store(active);
        asio::co_spawn(acceptor.get_executor(), serve(self, std::move(socket)), rethrow);
    }
}

asio::awaitable<void> MetricsServer::Shared::serve(std::shared_ptr<Shared> self,
                                                   tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    const std::uint64_t id = nextId++;
    open.emplace(id, &stream);
    struct Leave {
        Shared& shared;
        std::uint64_t id;
        ~Leave() {
            shared.open.erase(id);
            --shared.active;
            shared.connections.store(shared.active);
        }
    } leave{*self, id};

    beast::flat_buffer buffer;
    while (!stopped) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(options.headerLimit);
        parser.body_limit(options.bodyLimit);
        stream.expires_after(options.readTimeout);
        auto [readError, readBytes] = co_await http::async_read(stream, buffer, parser, kAsValues);
        if (stopped) {
            break;
        }

        std::optional<Response> refused;
        if (readError) {
            refused = refusalFor(readError);
            if (!refused) {
                break;  // the client left, went quiet past the read timeout, or stop() closed it
            }
        }
        Response response = refused ? std::move(*refused) : respond(parser.get(), scrape);

        stream.expires_after(options.writeTimeout);
        auto [writeError, written] = co_await http::async_write(stream, response, kAsValues);
        if (writeError || stopped) {
            break;
        }
        if (refused) {
            co_await linger(stream);
            break;
        }
        if (!response.keep_alive()) {
            break;
        }
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// After refusing a request the client may still be sending it. Closing with unread data makes
// the kernel send a reset, which can destroy our answer before the client reads it; so say
// we are done, then read and discard what is left for a bounded time and amount.
asio::awaitable<void> MetricsServer::Shared::linger(beast::tcp_stream& stream) {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 4096> scratch{};
    std::size_t discarded = 0;
    stream.expires_after(options.readTimeout);
    while (!stopped && discarded < kLingerBytes) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsValues);
        if (ec) {
            break;
        }
        discarded += n;
    }
}

MetricsServer::MetricsServer(asio::io_context& io, tcp::endpoint endpoint,
                             MetricsServerOptions options, Scrape scrape)
    : shared_(std::make_shared<Shared>(io, std::move(endpoint), options, std::move(scrape))) {}

MetricsServer::~MetricsServer() {
    stop();
}

std::optional<std::string> MetricsServer::start() {
    Shared& s = *shared_;
    if (s.started || s.stopped) {
        return "metrics server on " + describe(s.endpoint) + " was already started";
    }
    error_code ec;
    s.acceptor.open(s.endpoint.protocol(), ec);
    if (!ec) {
        // A restarted daemon must not wait for the old connections' TIME_WAIT. (On Linux this
        // does not let two listeners share a port.)
        s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        s.acceptor.bind(s.endpoint, ec);
    }
    if (!ec) {
        s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    tcp::endpoint bound;
    if (!ec) {
        bound = s.acceptor.local_endpoint(ec);
    }
    if (ec) {
        error_code ignored;
        s.acceptor.close(ignored);
        return listenError(s.endpoint, ec);
    }
    s.port.store(bound.port());
    s.started = true;
    asio::co_spawn(s.acceptor.get_executor(), s.accept(shared_), rethrow);
    return std::nullopt;
}

void MetricsServer::stop() {
    Shared& s = *shared_;
    if (s.stopped) {
        return;
    }
    s.stopped = true;
    error_code ignored;
    s.acceptor.close(ignored);
    s.retry.cancel();
    // Each session sees its operation fail, finds `stopped` and leaves `open` by itself.
    for (auto& [id, stream] : s.open) {
        stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream->close();
    }
}

std::uint16_t MetricsServer::port() const {
    return shared_->port.load();
}

std::size_t MetricsServer::connections() const {
    return shared_->connections.load();
}

}  // namespace chainvisor::observe
