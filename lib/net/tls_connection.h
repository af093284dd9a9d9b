// Internal to the HTTPS client: one TLS connection with its own io_context, driven to completion
// in the calling thread, one operation at a time, each bounded by the request's deadline (the
// stream closes itself when it passes). Used by one thread at a time; moves between threads
// through the pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <vector>

#include "net/tls_verifier.h"

namespace chainvisor::net::detail {

using Clock = std::chrono::steady_clock;
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;

class TlsConnection {
public:
    explicit TlsConnection(boost::asio::ssl::context& context);
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    boost::system::error_code connect(const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                                      Clock::time_point deadline);
    boost::system::error_code handshake(Clock::time_point deadline);
    boost::system::error_code write(Request& request, Clock::time_point deadline);
    boost::system::error_code read(ResponseParser& parser, Clock::time_point deadline);

    // True when the idle connection can no longer carry a request: the peer closed it, reset
    // it or sent something unasked (a TLS alert). Reads nothing.
    bool peerClosed();
    // Bytes received beyond the last response: a connection in that state is not reused.
    bool hasUnreadBytes() const { return buffer_.size() > 0; }
    // Stops the deadline so an idle connection in the pool is not closed under it.
    void disarm();

    TlsStream& stream() { return stream_; }
    // Written by the verify callback during the handshake: why the certificate was refused.
    std::string& verifyFailure() { return verifyFailure_; }

    Clock::time_point idleSince{};

private:
    boost::asio::io_context io_;  // first: outlives the stream
    TlsStream stream_;
    boost::beast::flat_buffer buffer_;
    std::string verifyFailure_;
};

}  // namespace chainvisor::net::detail
