#include "net/https_client.h"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "net/connection_pool.h"
#include "net/resolve.h"
#include "net/tls_connection.h"
#include "net/tls_verifier.h"

namespace chainvisor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using detail::Clock;

namespace {

http::verb verbOf(Method method) {
    switch (method) {
        case Method::Get:
            return http::verb::get;
        case Method::Post:
            return http::verb::post;
        case Method::Put:
            return http::verb::put;
        case Method::Delete:
            return http::verb::delete_;
    }
    return http::verb::unknown;
}

const char* nameOf(Method method) {
    switch (method) {
        case Method::Get:
            return "GET";
        case Method::Post:
            return "POST";
        case Method::Put:
            return "PUT";
        case Method::Delete:
            return "DELETE";
    }
    return "?";
}

// Safe to send twice: the second copy changes nothing the first did not.
bool isIdempotent(Method method) {
    return method == Method::Get || method == Method::Put || method == Method::Delete;
}

bool isTokenChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isFieldValue(std::string_view value) {
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) {
            return false;
        }
    }
    return true;
}

// What is wrong with a request before anything is sent. Names, never values: values may be
// secret.
std::string checkRequest(const HttpRequest& request) {
    const auto& target = request.target;
    if (target.empty() || target.front() != '/') {
        return "the request target must start with '/'";
    }
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F) {
            return "the request target contains spaces or control characters; percent-encode "
                   "them";
        }
    }
    for (const auto& [name, value] : request.headers) {
        if (name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar)) {
            return "a request header has an invalid name";
        }
        if (!isFieldValue(value)) {
            return "the value of request header " + name +
                   " contains control characters (the value is not shown)";
        }
    }
    if (!isFieldValue(request.contentType)) {
        return "the content type contains control characters";
    }
    return {};
}

std::string describeSize(std::size_t bytes) {
    constexpr std::size_t kMiB = 1024 * 1024;
    if (bytes >= kMiB && bytes % kMiB == 0) {
        return std::to_string(bytes / kMiB) + " MiB";
    }
    return std::to_string(bytes) + " bytes";
}

bool isClosure(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == http::error::end_of_stream ||
           ec == http::error::partial_message;
}

// Defence in depth: whatever produced an error text, no header value of the request survives
// in it (nor the part after the last '=', where a PVEAPIToken carries its secret).
std::string redact(std::string text, const HttpRequest& request) {
    auto scrub = [&text](std::string_view secret) {
        if (secret.size() < 6) {
            return;
        }
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
            text.replace(at, secret.size(), "<redacted>");
        }
    };
    for (const auto& [name, value] : request.headers) {
        scrub(value);
        if (const auto eq = value.rfind('='); eq != std::string::npos) {
            scrub(std::string_view(value).substr(eq + 1));
        }
    }
    return text;
}

// The stream reports its own expiry as beast::error::timeout; an error that comes when the
// deadline has passed anyway (a reset as the socket is closed under it) counts as one too.
bool deadlinePassed(const error_code& ec, Clock::time_point deadlineAt) {
    return ec == beast::error::timeout || Clock::now() >= deadlineAt;
}

struct Attempt {
    HttpExchange exchange;
    bool keepAlive = false;        // the connection can carry another request
    bool responseStarted = false;  // a byte of the response arrived: the server saw the request
};

}  // namespace

struct HttpsClient::Impl {
    Impl(HttpsEndpoint endpointIn, const TlsTrust& trust, HttpsClientOptions optionsIn)
        : endpoint(std::move(endpointIn)),
          where(describeEndpoint(endpoint)),
          verifier(trust),
          options(std::move(optionsIn)),
          pool(options.maxIdleConnections, options.maxIdleTime) {}

    HttpExchange send(const HttpRequest& request, std::chrono::milliseconds deadline);
    std::unique_ptr<detail::TlsConnection> open(Clock::time_point deadlineAt,
                                                std::chrono::milliseconds deadline,
                                                HttpExchange& failure);
    Attempt exchange(detail::TlsConnection& connection, detail::Request& message,
                     Clock::time_point deadlineAt, std::chrono::milliseconds deadline);
    HttpExchange failed(std::string what) const {
        HttpExchange out;
        out.error = where + ": " + std::move(what);
        return out;
    }
    HttpExchange timedOut(std::chrono::milliseconds deadline, const std::string& during) const {
        HttpExchange out =
            failed("timed out after " + std::to_string(deadline.count()) + " ms " + during);
        out.timedOut = true;
        return out;
    }

    const HttpsEndpoint endpoint;
    const std::string where;
    detail::TlsVerifier verifier;
    const HttpsClientOptions options;
    detail::ConnectionPool pool;
};

std::unique_ptr<detail::TlsConnection> HttpsClient::Impl::open(Clock::time_point deadlineAt,
                                                               std::chrono::milliseconds deadline,
                                                               HttpExchange& failure) {
    auto expired = [deadlineAt](const error_code& ec) { return deadlinePassed(ec, deadlineAt); };
    const auto resolved = detail::resolveHost(endpoint.host, endpoint.port, deadlineAt);
    if (resolved.timedOut) {
        failure = timedOut(deadline, "resolving " + endpoint.host);
        return nullptr;
    }
    if (!resolved.error.empty()) {
        failure = failed(resolved.error);
        return nullptr;
    }
    auto connection = std::make_unique<detail::TlsConnection>(verifier.context());
    if (const auto ec = connection->connect(resolved.endpoints, deadlineAt)) {
        failure =
            expired(ec) ? timedOut(deadline, "connecting") : failed("connect: " + ec.message());
        return nullptr;
    }
    verifier.prepare(connection->stream(), endpoint.host, connection->verifyFailure());
    if (const auto ec = connection->handshake(deadlineAt)) {
        if (!connection->verifyFailure().empty()) {
            failure = failed("TLS: " + connection->verifyFailure());
        } else if (expired(ec)) {
            failure = timedOut(deadline, "in the TLS handshake");
        } else {
            failure = failed("TLS handshake: " + ec.message());
        }
        return nullptr;
    }
    if (auto refused = verifier.checkPeer(connection->stream()); !refused.empty()) {
        failure = failed("TLS: " + refused);
        return nullptr;
    }
    return connection;
}

Attempt HttpsClient::Impl::exchange(detail::TlsConnection& connection, detail::Request& message,
                                    Clock::time_point deadlineAt,
                                    std::chrono::milliseconds deadline) {
    Attempt attempt;
    auto expired = [deadlineAt](const error_code& ec) { return deadlinePassed(ec, deadlineAt); };
    if (const auto ec = connection.write(message, deadlineAt)) {
        if (expired(ec)) {
            attempt.exchange = timedOut(deadline, "sending the request");
        } else if (isClosure(ec)) {
            attempt.exchange =
                failed("the server closed the connection before responding (" + ec.message() + ")");
        } else {
            attempt.exchange = failed("sending the request: " + ec.message());
        }
        return attempt;
    }
    detail::ResponseParser parser;
    parser.body_limit(options.maxBodyBytes);
    parser.header_limit(static_cast<std::uint32_t>(options.maxHeaderBytes));
    const auto ec = connection.read(parser, deadlineAt);
    attempt.responseStarted = parser.got_some() || connection.hasUnreadBytes();
    if (ec) {
        if (expired(ec)) {
            attempt.exchange =
                timedOut(deadline, attempt.responseStarted ? "reading the response"
                                                           : "waiting for the response");
        } else if (ec == http::error::body_limit) {
            attempt.exchange = failed("the response body exceeds the limit of " +
                                      describeSize(options.maxBodyBytes));
        } else if (ec == http::error::header_limit) {
            attempt.exchange = failed("the response header exceeds the limit of " +
                                      describeSize(options.maxHeaderBytes));
        } else if (!attempt.responseStarted && isClosure(ec)) {
            attempt.exchange =
                failed("the server closed the connection before responding (" + ec.message() + ")");
        } else {
            attempt.exchange = failed("reading the response: " + ec.message());
        }
        return attempt;
    }
    auto& response = parser.get();
    attempt.exchange.response.status = static_cast<int>(response.result_int());
    attempt.exchange.response.reason = std::string(response.reason());
    attempt.exchange.response.body = std::move(response.body());
    // keep_alive() is false for "Connection: close" and for HTTP/1.0 without keep-alive.
    attempt.keepAlive = response.keep_alive() && !connection.hasUnreadBytes();
    return attempt;
}

HttpExchange HttpsClient::Impl::send(const HttpRequest& request,
                                     std::chrono::milliseconds deadline) {
    const auto deadlineAt = Clock::now() + deadline;
    if (auto invalid = checkRequest(request); !invalid.empty()) {
        return failed(std::move(invalid));
    }
    detail::Request message{verbOf(request.method), request.target, 11};
    message.set(http::field::host, where);
    message.set(http::field::user_agent, options.userAgent);
    for (const auto& [name, value] : request.headers) {
        message.set(name, value);
    }
    if (!request.contentType.empty()) {
        message.set(http::field::content_type, request.contentType);
    }
    message.body() = request.body;
    message.prepare_payload();

    auto connection = pool.take(Clock::now());
    bool reused = connection != nullptr;
    for (;;) {
        if (!connection) {
            HttpExchange failure;
            connection = open(deadlineAt, deadline, failure);
            if (!connection) {
                return failure;
            }
        }
        auto attempt = exchange(*connection, message, deadlineAt, deadline);
        if (attempt.exchange.ok()) {
            if (attempt.keepAlive) {
                pool.put(std::move(connection), Clock::now());
            }
            return std::move(attempt.exchange);
        }
        connection.reset();
        // The server may have closed the kept-alive connection just as the request went out.
        const bool stale = reused && !attempt.responseStarted && !attempt.exchange.timedOut;
        if (stale && isIdempotent(request.method)) {
            reused = false;  // once: the next connection is fresh
            continue;
        }
        if (stale) {
            attempt.exchange.error += std::string("; not retried: a ") + nameOf(request.method) +
                                      " may have taken effect";
        }
        return std::move(attempt.exchange);
    }
}

HttpsClient::HttpsClient(HttpsEndpoint endpoint, TlsTrust trust, HttpsClientOptions options) {
    if (endpoint.host.empty()) {
        throw std::invalid_argument("HTTPS endpoint: no host");
    }
    if (endpoint.port == 0) {
        throw std::invalid_argument("HTTPS endpoint " + endpoint.host + ": port 0");
    }
    impl_ = std::make_unique<Impl>(std::move(endpoint), trust, std::move(options));
}

HttpsClient::~HttpsClient() = default;

HttpExchange HttpsClient::send(const HttpRequest& request, std::chrono::milliseconds deadline) {
    HttpExchange out;
    try {
        out = impl_->send(request, deadline);
    } catch (const std::exception& e) {
        out = impl_->failed(std::string("internal error: ") + e.what());
    } catch (...) {
        out = impl_->failed("internal error");
    }
    if (!out.error.empty()) {
        out.response = HttpResponse{};
        out.error = redact(std::move(out.error), request);
    }
    return out;
}

const HttpsEndpoint& HttpsClient::endpoint() const {
    return impl_->endpoint;
}

std::size_t HttpsClient::idleConnections() const {
    return impl_->pool.idleCount();
}

}  // namespace chainvisor::net
