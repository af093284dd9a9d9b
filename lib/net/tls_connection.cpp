#include "net/tls_connection.h"

#include <sys/socket.h>

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>

namespace chainvisor::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// Starts one asynchronous operation and runs the io_context until it (and its timer) are done.
template <class Start>
error_code runToCompletion(asio::io_context& io, Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
}

}  // namespace

TlsConnection::TlsConnection(asio::ssl::context& context) : stream_(io_, context) {}

error_code TlsConnection::connect(const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                  Clock::time_point deadline) {
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_at(deadline);
    return runToCompletion(io_, [&](auto handler) { tcp.async_connect(endpoints, handler); });
}

error_code TlsConnection::handshake(Clock::time_point deadline) {
    beast::get_lowest_layer(stream_).expires_at(deadline);
    return runToCompletion(io_, [&](auto handler) {
        stream_.async_handshake(asio::ssl::stream_base::client, handler);
    });
}

error_code TlsConnection::write(Request& request, Clock::time_point deadline) {
    beast::get_lowest_layer(stream_).expires_at(deadline);
    return runToCompletion(io_,
                           [&](auto handler) { http::async_write(stream_, request, handler); });
}

error_code TlsConnection::read(ResponseParser& parser, Clock::time_point deadline) {
    beast::get_lowest_layer(stream_).expires_at(deadline);
    return runToCompletion(
        io_, [&](auto handler) { http::async_read(stream_, buffer_, parser, handler); });
}

bool TlsConnection::peerClosed() {
    auto& socket = beast::get_lowest_layer(stream_).socket();
    if (!socket.is_open()) {
        return true;
    }
    char byte = 0;
    const auto got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (got < 0) {
        return errno != EAGAIN && errno != EWOULDBLOCK;
    }
    return true;  // 0: the peer closed; > 0: it sent something nobody asked for
}

void TlsConnection::disarm() {
    beast::get_lowest_layer(stream_).expires_never();
}

}  // namespace chainvisor::net::detail
