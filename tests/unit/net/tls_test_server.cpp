#include "tls_test_server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace chainvisor::net::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

// Blocks until the peer closes the socket or the server shuts it down.
template <class Stream>
void holdUntilClosed(Stream& stream) {
    char byte = 0;
    boost::system::error_code ec;
    while (!ec) {
        stream.read_some(asio::buffer(&byte, 1), ec);
    }
}

}  // namespace

TlsTestServer::TlsTestServer(const TestCert& cert, Handler handler, Mode mode)
    : context_(ssl::context::tls_server),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      handler_(std::move(handler)),
      mode_(mode) {
    context_.use_certificate_chain(asio::buffer(cert.certPem));
    context_.use_private_key(asio::buffer(cert.keyPem), ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    acceptor_thread_ = std::thread([this] { acceptLoop(); });
}

TlsTestServer::~TlsTestServer() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        // Wakes the blocked accept() (Linux), then every connection blocked in a read.
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        for (const auto& [index, fd] : open_) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }
    acceptor_thread_.join();
    {
        const std::lock_guard lock(mutex_);
        for (const auto& [index, fd] : open_) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }
    for (auto& thread : connections_) {
        thread.join();
    }
}

ServerStats TlsTestServer::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

std::vector<ServerRequest> TlsTestServer::received() const {
    const std::lock_guard lock(mutex_);
    return received_;
}

bool TlsTestServer::waitUntil(const std::function<bool(const ServerStats&)>& done,
                              std::chrono::milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return done(stats_); });
}

void TlsTestServer::acceptLoop() {
    for (std::size_t index = 0;; ++index) {
        boost::system::error_code ec;
        tcp::socket socket(io_);
        acceptor_.accept(socket, ec);
        const std::lock_guard lock(mutex_);
        if (ec || stopping_) {
            return;
        }
        // Registered before its thread starts, so that stopping always reaches it.
        open_[index] = socket.native_handle();
        ++stats_.accepts;
        changed_.notify_all();
        connections_.emplace_back([this, index](tcp::socket s) { serve(std::move(s), index); },
                                  std::move(socket));
    }
}

void TlsTestServer::finish(tcp::socket& socket, std::size_t index) {
    const std::lock_guard lock(mutex_);
    open_.erase(index);
    boost::system::error_code ignored;
    socket.close(ignored);
    ++stats_.closed;
    changed_.notify_all();
}

void TlsTestServer::serve(tcp::socket socket, std::size_t index) {
    if (mode_ == Mode::SilentTcp) {
        holdUntilClosed(socket);
        finish(socket, index);
        return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), context_);
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    std::string sni;
    if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
        sni = name;
    }
    beast::flat_buffer buffer;
    for (std::size_t sequence = 0; !ec; ++sequence) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::read(stream, buffer, parser, ec);
        if (ec) {
            break;
        }
        const auto& message = parser.get();
        ServerRequest request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        request.body = message.body();
        for (const auto& field : message) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(), [](char c) {
                return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            });
            request.headers[name] = std::string(field.value());
        }
        request.connection = index;
        request.sequence = sequence;
        request.sni = sni;
        {
            const std::lock_guard lock(mutex_);
            received_.push_back(request);
            ++stats_.requests;
            changed_.notify_all();
        }
        const ServerReply reply = handler_(request);
        if (reply.then == Then::DropWithoutReply) {
            break;
        }
        if (reply.then == Then::Hang) {
            holdUntilClosed(stream.next_layer());
            break;
        }
        http::response<http::string_body> response;
        response.version(11);
        response.result(static_cast<unsigned>(reply.status));
        response.reason(reply.reason);
        response.set(http::field::server, "pve-api-daemon/3.0");
        if (!reply.contentType.empty()) {
            response.set(http::field::content_type, reply.contentType);
        }
        response.body() = reply.body;
        response.keep_alive(reply.then != Then::Close && reply.then != Then::CloseHeaderOnly);
        if (reply.chunked) {
            response.chunked(true);
        } else {
            response.prepare_payload();
        }
        http::write(stream, response, ec);
        if (ec || reply.then == Then::Close || reply.then == Then::CloseSilently) {
            break;
        }
        if (reply.then == Then::CloseHeaderOnly) {
            holdUntilClosed(stream.next_layer());
            break;
        }
    }
    finish(stream.next_layer(), index);
}

}  // namespace chainvisor::net::test
