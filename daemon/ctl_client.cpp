#include "ctl_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>

namespace chainvisor::ctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;

namespace {

constexpr std::size_t kMaxReply = 64 * 1024 * 1024;  // a status of many nodes, events pages

Failure classifyConnect(const boost::system::error_code& ec) {
    if (ec == boost::system::errc::no_such_file_or_directory ||
        ec == boost::system::errc::not_a_directory) {
        return Failure::NotRunning;
    }
    if (ec == boost::system::errc::connection_refused) {
        return Failure::NotAnswering;
    }
    if (ec == boost::system::errc::permission_denied ||
        ec == boost::system::errc::operation_not_permitted) {
        return Failure::PermissionDenied;
    }
    if (ec == beast::error::timeout) {
        return Failure::TimedOut;
    }
    return Failure::Other;
}

}  // namespace

CallResult call(const std::filesystem::path& socket, const Call& request) {
    CallResult result;
    asio::io_context io;
    beast::basic_stream<local> stream(io);
    beast::flat_buffer buffer;
    http::request<http::string_body> message{
        request.method == "POST" ? http::verb::post : http::verb::get, request.target, 11};
    message.set(http::field::host, "chainvisord");
    message.set(http::field::user_agent, "chainvisorctl");
    message.set(http::field::connection, "close");
    if (!request.body.empty()) {
        message.set(http::field::content_type, "application/json");
        message.body() = request.body;
    }
    message.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxReply);

    // One deadline for the whole exchange, as the daemon might hang anywhere in it.
    boost::system::error_code ec;
    std::string stage = "connect to";
    stream.expires_after(request.deadline);
    stream.async_connect(local::endpoint(socket.string()), [&](boost::system::error_code e) {
        if (e) {
            ec = e;
            return;
        }
        stage = "send to";
        http::async_write(stream, message, [&](boost::system::error_code e2, std::size_t) {
            if (e2) {
                ec = e2;
                return;
            }
            stage = "read from";
            http::async_read(stream, buffer, parser,
                             [&](boost::system::error_code e3, std::size_t) { ec = e3; });
        });
    });
    io.run();
    if (ec) {
        result.failure = stage == "connect to" ? classifyConnect(ec) : Failure::Other;
        std::error_code statError;
        if (result.failure == Failure::NotAnswering &&
            std::filesystem::symlink_status(socket, statError).type() !=
                std::filesystem::file_type::socket) {
            result.failure = Failure::Other;
            result.error = socket.string() + " is not a socket; is the --socket path right?";
            return result;
        }
        if (ec == beast::error::timeout) {
            result.failure = Failure::TimedOut;
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%g", request.deadline.count() / 1000.0);
            result.error = "chainvisord did not answer within " + std::string(seconds) + " s on " +
                           socket.string();
        } else {
            result.error = "cannot " + stage + " " + socket.string() + ": " + ec.message();
        }
        return result;
    }
    auto reply = parser.release();
    result.reply = Reply{static_cast<int>(reply.result_int()), std::move(reply.body())};
    return result;
}

}  // namespace chainvisor::ctl
