// The HTTPS front end, shaped like pveproxy: TLS on every connection, HTTP/1.1 keep-alive with an
// idle timeout (5 s) and at most 100 requests per connection, every error response closing the
// connection, bodies over 1 KiB gzipped for clients that accept it, request bodies limited to
// 64 KiB. Each connection is a coroutine on the single io_context thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "api.h"
#include "args.h"

namespace pvesim {

// SHA-256 of the certificate (DER) as upper-case colon-separated hex, like PVE shows it.
// Throws std::runtime_error when the file holds no PEM certificate.
std::string certificate_fingerprint(const std::string& pem_file);

class Server {
public:
    // Loads the certificate and key (throws std::runtime_error with the reason).
    Server(boost::asio::io_context& ioc, const Options& options, Api& api);

    // Binds and listens (throws boost::system::system_error); returns the bound port.
    unsigned short listen();
    void start();
    void stop();

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    Options options_;
    Api& api_;
    boost::asio::ssl::context ssl_;
    boost::asio::ip::tcp::acceptor acceptor_;
    bool stopping_ = false;
};

}  // namespace pvesim
