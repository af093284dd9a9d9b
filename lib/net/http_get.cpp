#include "net/http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace chainvisor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

HttpGetResult exchange(http::verb method, const std::string& address, int port,
                       const std::string& target, const std::string* body,
                       std::chrono::milliseconds deadline, const std::string& hostHeader) {
    HttpGetResult result;
    const std::string where = address + ":" + std::to_string(port);
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) {
        result.error = "bad address '" + address + "'";
        return result;
    }
    asio::io_context io;
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, hostHeader.empty() ? where : hostHeader);
    request.set(http::field::user_agent, "chainvisord");
    request.set(http::field::connection, "close");
    if (body != nullptr) {
        request.set(http::field::content_type, "application/json");
        request.body() = *body;
        request.prepare_payload();
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxProbeBody);

    // One deadline for the whole exchange: connect, write and read.
    stream.expires_after(deadline);
    std::string stage = "connect";
    stream.async_connect(
        asio::ip::tcp::endpoint(ip, static_cast<unsigned short>(port)),
        [&](boost::system::error_code e) {
            if (e) {
                ec = e;
                return;
            }
            stage = "write";
            http::async_write(stream, request, [&](boost::system::error_code e2, std::size_t) {
                if (e2) {
                    ec = e2;
                    return;
                }
                stage = "read";
                http::async_read(stream, buffer, parser,
                                 [&](boost::system::error_code e3, std::size_t) { ec = e3; });
            });
        });
    io.run();
    if (ec == beast::error::timeout) {
        result.error =
            stage + " " + where + ": timed out after " + std::to_string(deadline.count()) + " ms";
        return result;
    }
    if (ec) {
        result.error = stage + " " + where + ": " + ec.message();
        return result;
    }
    auto message = parser.release();
    result.response =
        ProbeResponse{static_cast<int>(message.result_int()), std::move(message.body())};
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return result;
}

}  // namespace

HttpGetResult httpGet(const std::string& address, int port, const std::string& target,
                      std::chrono::milliseconds deadline, const std::string& hostHeader) {
    return exchange(http::verb::get, address, port, target, nullptr, deadline, hostHeader);
}

HttpGetResult httpPostJson(const std::string& address, int port, const std::string& target,
                           const std::string& body, std::chrono::milliseconds deadline,
                           const std::string& hostHeader) {
    return exchange(http::verb::post, address, port, target, &body, deadline, hostHeader);
}

}  // namespace chainvisor::net
