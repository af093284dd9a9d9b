// MetricsServer over a real loopback socket: the routes, keep-alive, the read timeout, the
// connection limit, request limits and stop() with clients still connected. Timeouts are short
// so nothing waits long; every wait has a deadline and waits for an effect, never for a time.
#include "observe/metrics_server.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "eventually.h"

namespace {

using namespace std::chrono_literals;
using chainvisor::observe::MetricsServer;
using chainvisor::observe::MetricsServerOptions;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Catch::Matchers::Contains;
using chainvisor::test::eventually;

constexpr auto kDeadline = 20s;  // generous for sanitizer builds; nothing waits for it
const std::string kScrape = "# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n";

// A server on 127.0.0.1:<any> with its io_context on its own thread, as the daemon runs it.
class Running {
public:
    explicit Running(
        MetricsServerOptions options = fast(),
        MetricsServer::Scrape scrape = [] { return kScrape; })
        : server_(io_, {asio::ip::make_address("127.0.0.1"), 0}, options, std::move(scrape)) {
        const auto error = server_.start();
        if (error) {
            throw std::runtime_error(*error);
        }
        thread_ = std::thread([this] {
            io_.run();
            finished_.set_value();
        });
    }
    ~Running() {
        stop();
        thread_.join();
    }

    static MetricsServerOptions fast() {
        MetricsServerOptions o;
        o.readTimeout = 10s;
        o.writeTimeout = 10s;
        return o;
    }

    std::uint16_t port() const { return server_.port(); }
    std::size_t connections() const { return server_.connections(); }

    // stop() on the io thread, as the daemon's signal handler does.
    void stop() {
        if (!stopped_) {
            stopped_ = true;
            asio::post(io_, [this] { server_.stop(); });
        }
    }
    // True when io_context::run() returned: no socket, timer or coroutine was left behind.
    bool finishedWithin(std::chrono::milliseconds limit) {
        return finished_.get_future().wait_for(limit) == std::future_status::ready;
    }

private:
    asio::io_context io_;
    MetricsServer server_;
    std::promise<void> finished_;
    std::thread thread_;
    bool stopped_ = false;
};

// A blocking client with a deadline on every operation.
class Client {
public:
    explicit Client(std::uint16_t port) : stream_(io_) {
        stream_.expires_after(kDeadline);
        stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }

    void send(const std::string& raw) {
        stream_.expires_after(kDeadline);
        asio::write(stream_.socket(), asio::buffer(raw));
    }

    // One response; empty when the server closed the connection instead of answering.
    std::optional<http::response<http::string_body>> read(bool head = false) {
        http::response_parser<http::string_body> parser;
        parser.skip(head);
        parser.body_limit(16 * 1024 * 1024);
        boost::system::error_code ec;
        stream_.expires_after(kDeadline);
        http::async_read(stream_, buffer_, parser,
                         [&](boost::system::error_code e, std::size_t) { ec = e; });
        io_.restart();
        io_.run();
        if (ec == beast::error::timeout) {
            throw std::runtime_error("the server neither answered nor closed within the deadline");
        }
        if (ec) {
            return std::nullopt;
        }
        return parser.release();
    }

    http::response<http::string_body> request(const std::string& raw, bool head = false) {
        send(raw);
        auto response = read(head);
        if (!response) {
            throw std::runtime_error("the server closed instead of answering");
        }
        return *response;
    }

    // True when the server closes (EOF or reset) before the deadline, without sending anything.
    bool closedByServer() {
        char byte = 0;
        boost::system::error_code ec;
        std::size_t got = 0;
        stream_.expires_after(kDeadline);
        stream_.async_read_some(asio::buffer(&byte, 1),
                                [&](boost::system::error_code e, std::size_t n) {
                                    ec = e;
                                    got = n;
                                });
        io_.restart();
        io_.run();
        return got == 0 && ec && ec != beast::error::timeout;
    }

    void close() { stream_.close(); }

private:
    asio::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("GET /metrics serves the scrape as exposition text") {
    Running server;
    Client client(server.port());
    const auto response = client.request(get("/metrics"));
    CHECK(response.result() == http::status::ok);
    CHECK(response[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(response.body() == kScrape);
    CHECK(response.keep_alive());

    SECTION("a query string changes nothing") {
        CHECK(client.request(get("/metrics?name[]=up")).body() == kScrape);
    }
}

TEST_CASE("HEAD /metrics answers the headers of a GET, without the body") {
    Running server;
    Client client(server.port());
    const auto response =
        client.request("HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", /*head=*/true);
    CHECK(response.result() == http::status::ok);
    CHECK(response[http::field::content_length] == std::to_string(kScrape.size()));
    CHECK(response.body().empty());
    // The connection is still in step: the next answer is whole.
    CHECK(client.request(get("/metrics")).body() == kScrape);
}

TEST_CASE("/ is a page linking /metrics, other paths are 404, other methods 405") {
    Running server;
    Client client(server.port());

    const auto index = client.request(get("/"));
    CHECK(index.result() == http::status::ok);
    CHECK_THAT(std::string(index[http::field::content_type]), Contains("text/html"));
    CHECK_THAT(index.body(), Contains("href=\"/metrics\""));

    CHECK(client.request(get("/metricsx")).result() == http::status::not_found);
    CHECK(client.request(get("/api/v1/query")).result() == http::status::not_found);

    const auto post =
        client.request("POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(post.result() == http::status::method_not_allowed);
    CHECK(post[http::field::allow] == "GET, HEAD");
    const auto del = client.request("DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(del.result() == http::status::method_not_allowed);
    // None of these closed the connection.
    CHECK(client.request(get("/metrics")).result() == http::status::ok);
}

TEST_CASE("keep-alive: two requests on one connection, one scrape each") {
    std::atomic<int> scrapes{0};
    Running server(Running::fast(), [&] { return "x_total " + std::to_string(++scrapes) + "\n"; });
    Client client(server.port());
    CHECK(client.request(get("/metrics")).body() == "x_total 1\n");
    CHECK(client.request(get("/metrics")).body() == "x_total 2\n");
    CHECK(server.connections() == 1);

    SECTION("pipelined: both answered, in order") {
        client.send(get("/metrics") + get("/metrics"));
        CHECK(client.read()->body() == "x_total 3\n");
        CHECK(client.read()->body() == "x_total 4\n");
    }
    SECTION("Connection: close is honoured after the answer") {
        const auto response = client.request(get("/metrics", "Connection: close\r\n"));
        CHECK(response.body() == "x_total 3\n");
        CHECK_FALSE(response.keep_alive());
        CHECK(client.closedByServer());
    }
    SECTION("HTTP/1.0 without keep-alive gets one answer, then the close") {
        const auto response = client.request("GET /metrics HTTP/1.0\r\n\r\n");
        CHECK(response.result() == http::status::ok);
        CHECK(client.closedByServer());
    }
}

TEST_CASE("the read timeout cuts off a slow client and an idle kept-alive connection") {
    auto options = Running::fast();
    options.readTimeout = 200ms;
    Running server(options);

    SECTION("half a request, then silence") {
        Client client(server.port());
        client.send("GET /metrics HTTP/1.1\r\nHost: 127.");
        CHECK(client.closedByServer());
    }
    SECTION("idle after an answer") {
        Client client(server.port());
        CHECK(client.request(get("/metrics")).result() == http::status::ok);
        CHECK(client.closedByServer());
    }
    SECTION("connected, never a byte") {
        Client client(server.port());
        CHECK(client.closedByServer());
    }
    CHECK(eventually([&] { return server.connections() == 0; }, kDeadline, 0ms));
}

TEST_CASE("connections beyond the limit are closed at once, and a freed slot is reusable") {
    auto options = Running::fast();
    options.maxConnections = 2;
    Running server(options);

    Client first(server.port());
    Client second(server.port());
    // Answered: both are sessions now, not just queued in the backlog.
    CHECK(first.request(get("/metrics")).result() == http::status::ok);
    CHECK(second.request(get("/metrics")).result() == http::status::ok);
    REQUIRE(server.connections() == 2);

    Client third(server.port());
    third.send(get("/metrics"));
    CHECK(third.closedByServer());
    CHECK(server.connections() == 2);

    first.close();
    REQUIRE(eventually([&] { return server.connections() == 1; }, kDeadline, 0ms));
    Client fourth(server.port());
    CHECK(fourth.request(get("/metrics")).result() == http::status::ok);
    CHECK(second.request(get("/metrics")).result() == http::status::ok);
}

TEST_CASE("oversized requests are refused with 431 or 413, then closed") {
    auto options = Running::fast();
    options.headerLimit = 1024;
    options.bodyLimit = 16;
    Running server(options);

    SECTION("header") {
        Client client(server.port());
        const auto response =
            client.request(get("/metrics", "X-Padding: " + std::string(4096, 'a') + "\r\n"));
        CHECK(response.result() == http::status::request_header_fields_too_large);
        CHECK(client.closedByServer());
    }
    SECTION("body") {
        Client client(server.port());
        const auto response =
            client.request("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                           std::string(100, 'b'));
        CHECK(response.result() == http::status::payload_too_large);
        CHECK(client.closedByServer());
    }
    SECTION("garbage") {
        Client client(server.port());
        const auto response = client.request("HELLO\r\n\r\n");
        CHECK(response.result() == http::status::bad_request);
        CHECK(client.closedByServer());
    }
}

TEST_CASE("a scrape that throws is a 500, and the server goes on") {
    std::atomic<bool> fail{true};
    Running server(Running::fast(), [&]() -> std::string {
        if (fail) {
            throw std::runtime_error("registry unavailable");
        }
        return kScrape;
    });
    Client client(server.port());
    const auto response = client.request(get("/metrics"));
    CHECK(response.result() == http::status::internal_server_error);
    CHECK_THAT(response.body(), Contains("registry unavailable"));
    fail = false;
    CHECK(client.request(get("/metrics")).body() == kScrape);
}

TEST_CASE("stop() closes the listener and every connection, and the io_context runs out") {
    Running server;
    Client idle(server.port());
    CHECK(idle.request(get("/metrics")).result() == http::status::ok);
    Client silent(server.port());
    silent.send("GET /metr");  // mid-request
    REQUIRE(eventually([&] { return server.connections() == 2; }, kDeadline, 0ms));

    server.stop();
    CHECK(idle.closedByServer());
    CHECK(silent.closedByServer());
    CHECK(server.finishedWithin(kDeadline));
    CHECK(server.connections() == 0);

    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code refused;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()), refused);
    CHECK(refused == asio::error::connection_refused);
}

TEST_CASE("start() names the address when it cannot listen") {
    Running first;
    asio::io_context io;
    const tcp::endpoint taken(asio::ip::make_address("127.0.0.1"), first.port());
    MetricsServer second(io, taken, {}, [] { return std::string(); });
    const auto error = second.start();
    REQUIRE(error);
    CHECK_THAT(*error, Contains("127.0.0.1:" + std::to_string(first.port())));
    CHECK_THAT(*error, Contains("already in use"));

    SECTION("an address this machine does not have") {
        MetricsServer foreign(io, {asio::ip::make_address("192.0.2.1"), 0}, {},
                              [] { return std::string(); });
        const auto why = foreign.start();
        REQUIRE(why);
        CHECK_THAT(*why, Contains("192.0.2.1:0"));
        CHECK_THAT(*why, Contains("no interface"));
    }
    SECTION("IPv6 addresses are bracketed") {
        MetricsServer v6(io, {asio::ip::make_address("2001:db8::1"), 9}, {},
                         [] { return std::string(); });
        const auto why = v6.start();
        REQUIRE(why);
        CHECK_THAT(*why, Contains("[2001:db8::1]:9"));
    }
}
