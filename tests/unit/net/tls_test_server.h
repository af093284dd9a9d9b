// An HTTPS/1.1 server on 127.0.0.1 (port 0) for the client tests: a thread per connection, a
// scripted reply per request, and counters the tests wait on instead of sleeping.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_certs.h"

namespace chainvisor::net::test {

struct ServerRequest {
    std::string method;
    std::string target;
    std::string body;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::size_t connection = 0;                  // accept order, from 0
    std::size_t sequence = 0;                    // request order on its connection, from 0
    std::string sni;                             // the server name the client sent, if any

    std::string header(const std::string& lowerName) const {
        const auto found = headers.find(lowerName);
        return found == headers.end() ? std::string() : found->second;
    }
};

enum class Then {
    KeepAlive,         // answer, wait for the next request
    Close,             // answer with "Connection: close", then close (Proxmox after an error)
    CloseSilently,     // answer as if keeping alive, then close (an idle timeout at once)
    CloseHeaderOnly,   // answer with "Connection: close" but keep the socket open
    DropWithoutReply,  // read the request, close without answering
    Hang,              // read the request, never answer; hold the socket
};

struct ServerReply {
    int status = 200;
    std::string reason = "OK";
    std::string body = R"({"data":null})";
    std::string contentType = "application/json;charset=UTF-8";
    bool chunked = false;
    Then then = Then::KeepAlive;
};

using Handler = std::function<ServerReply(const ServerRequest&)>;

struct ServerStats {
    std::size_t accepts = 0;
    std::size_t requests = 0;
    std::size_t closed = 0;  // connections this server has closed or seen closed
};

class TlsTestServer {
public:
    enum class Mode {
        Tls,        // speak TLS and HTTP
        SilentTcp,  // accept and never say a word (not even the TLS handshake)
    };

    TlsTestServer(const TestCert& cert, Handler handler, Mode mode = Mode::Tls);
    ~TlsTestServer();
    TlsTestServer(const TlsTestServer&) = delete;
    TlsTestServer& operator=(const TlsTestServer&) = delete;

    std::uint16_t port() const { return port_; }
    ServerStats stats() const;
    std::vector<ServerRequest> received() const;
    // Polls nothing: waits on the server's own signal until `done` holds; false after `limit`.
    bool waitUntil(const std::function<bool(const ServerStats&)>& done,
                   std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

private:
    void acceptLoop();
    void serve(boost::asio::ip::tcp::socket socket, std::size_t index);
    void finish(boost::asio::ip::tcp::socket& socket, std::size_t index);

    boost::asio::io_context io_;
    boost::asio::ssl::context context_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    Handler handler_;
    Mode mode_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    ServerStats stats_;
    std::vector<ServerRequest> received_;
    std::map<std::size_t, int> open_;  // connection index → socket, until closed
    bool stopping_ = false;

    std::vector<std::thread> connections_;  // touched by the accept thread only, until joined
    std::thread acceptor_thread_;
};

}  // namespace chainvisor::net::test
