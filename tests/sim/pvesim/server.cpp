#include "server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "gzip.h"

namespace pvesim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr int kMaxRequestsPerConnection = 100;  // pveproxy's keep-alive budget
constexpr std::size_t kMaxHeader = 8 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::size_t kGzipThreshold = 1024;

// One line per request like pveproxy's access log (never the Authorization header).
void access_log(const std::string& peer, const std::string& user, const std::string& line,
                int status, std::size_t length) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char when[64];
    std::strftime(when, sizeof when, "%d/%m/%Y:%H:%M:%S %z", &tm);
    std::fprintf(stderr, "%s - %s [%s] \"%s\" %d %zu\n", peer.c_str(),
                 user.empty() ? "-" : user.c_str(), when, line.c_str(), status, length);
}

std::string http_date() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

}  // namespace

std::string certificate_fingerprint(const std::string& pem_file) {
    FILE* f = std::fopen(pem_file.c_str(), "r");
    if (f == nullptr) {
        throw std::runtime_error(pem_file + ": cannot open");
    }
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (cert == nullptr) {
        throw std::runtime_error(pem_file + ": no PEM certificate in the file");
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    X509_free(cert);
    std::string out;
    char buf[4];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02X", md[i]);
        out += (i == 0 ? "" : ":") + std::string(buf);
    }
    return out;
}

Server::Server(asio::io_context& ioc, const Options& options, Api& api)
    : ioc_(ioc), options_(options), api_(api), ssl_(ssl::context::tls_server), acceptor_(ioc) {
    ssl_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    boost::system::error_code ec;
    ssl_.use_certificate_chain_file(options.cert_file, ec);
    if (ec) {
        throw std::runtime_error("--cert " + options.cert_file + ": not a PEM certificate (" +
                                 ec.message() + ")");
    }
    ssl_.use_private_key_file(options.key_file, ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("--key " + options.key_file +
                                 ": not a PEM private key matching --cert (" + ec.message() + ")");
    }
}

unsigned short Server::listen() {
    tcp::endpoint ep(asio::ip::make_address(options_.listen_host), options_.listen_port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    return acceptor_.local_endpoint().port();
}

void Server::start() {
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
}

void Server::stop() {
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
}

asio::awaitable<void> Server::accept_loop() {
    while (!stopping_) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) {
                co_return;
            }
            continue;  // e.g. EMFILE: keep serving the connections we have
        }
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(ioc_, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> Server::session(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ssl_);
    auto& lowest = beast::get_lowest_layer(stream);
    const auto idle = std::chrono::milliseconds(options_.idle_timeout_ms);
    boost::system::error_code ec;
    lowest.expires_after(idle);
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        co_return;
    }
    std::string peer = "-";
    if (auto ep = lowest.socket().remote_endpoint(ec); !ec) {
        peer = ep.address().to_string();
    }
    beast::flat_buffer buffer;
    int budget = kMaxRequestsPerConnection;
    bool abort = false;
    while (true) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(kMaxHeader);
        parser.body_limit(kMaxBody);
        lowest.expires_after(idle);
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        ApiResponse resp;
        unsigned version = 11;
        bool client_keep_alive = false;
        std::string accept_encoding;
        std::string request_line = "-";
        if (ec == http::error::body_limit) {
            resp.status = 501;
            resp.reason = "for data too large";
        } else if (ec) {
            break;  // idle timeout, EOF or garbage: close
        } else {
            auto& req = parser.get();
            version = req.version();
            client_keep_alive = req.keep_alive();
            accept_encoding = std::string(req[http::field::accept_encoding]);
            ApiRequest ar;
            ar.method = std::string(req.method_string());
            ar.target = std::string(req.target());
            request_line = ar.method + " " + ar.target + " HTTP/" + std::to_string(version / 10) +
                           "." + std::to_string(version % 10);
            ar.body = std::move(req.body());
            ar.content_type = std::string(req[http::field::content_type]);
            ar.authorization = std::string(req[http::field::authorization]);
            ar.cookie = std::string(req[http::field::cookie]);
            lowest.expires_never();  // handling may wait for locks; no I/O timeout meanwhile
            auto started = std::chrono::steady_clock::now();
            resp = co_await api_.handle(std::move(ar));
            if (resp.drop != ApiResponse::Drop::None) {
                if (!options_.quiet) {
                    access_log(peer, resp.user, request_line, 0, 0);
                }
                abort = true;
                break;
            }
            auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started);
            if (resp.delay > spent) {
                asio::steady_timer timer(ioc_);
                timer.expires_after(resp.delay - spent);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
        }
        bool keep_alive = client_keep_alive && resp.status < 400 && --budget > 0 && !stopping_;
        http::response<http::string_body> res;
        res.version(version);
        res.result(static_cast<unsigned>(resp.status));
        res.reason(resp.reason);
        std::string date = http_date();
        res.set(http::field::cache_control, "max-age=0");
        res.set(http::field::connection, keep_alive ? "Keep-Alive" : "close");
        res.set(http::field::date, date);
        res.set("Pragma", "no-cache");
        res.set(http::field::server, "pve-api-daemon/3.0");
        res.set(http::field::expires, date);
        if (!resp.body.empty()) {
            res.set(http::field::content_type, "application/json;charset=UTF-8");
            if (options_.gzip && resp.body.size() > kGzipThreshold &&
                accepts_gzip(accept_encoding)) {
                res.set(http::field::content_encoding, "gzip");
                res.body() = gzip_compress(resp.body);
            } else {
                res.body() = std::move(resp.body);
            }
        }
        res.content_length(res.body().size());
        if (!options_.quiet) {
            access_log(peer, resp.user, request_line, resp.status, res.body().size());
        }
        lowest.expires_after(idle);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !keep_alive) {
            break;
        }
    }
    auto& sock = lowest.socket();
    boost::system::error_code ignored;
    if (abort) {
        // A reset: abortive close (RST), no answer at all.
        sock.set_option(asio::socket_base::linger(true, 0), ignored);
        sock.close(ignored);
        co_return;
    }
    // pveproxy closes with a plain TCP shutdown (no TLS close_notify); then drain what the
    // client still sends so that closing does not turn into a reset that eats our answer.
    sock.shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(std::chrono::seconds(2));
    char sink[4096];
    while (true) {
        co_await lowest.async_read_some(asio::buffer(sink),
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            break;
        }
    }
    sock.close(ignored);
}

}  // namespace pvesim
