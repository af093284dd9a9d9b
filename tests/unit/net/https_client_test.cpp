// HttpsClient against a real TLS server on 127.0.0.1: methods, reason phrases, the three trust
// modes, deadlines, keep-alive and its one safe retry, concurrency, the body cap and secrets.
#include "net/https_client.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "test_certs.h"
#include "tls_test_server.h"

namespace {

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using chainvisor::net::HttpExchange;
using chainvisor::net::HttpRequest;
using chainvisor::net::HttpsClient;
using chainvisor::net::HttpsClientOptions;
using chainvisor::net::HttpsEndpoint;
using chainvisor::net::Method;
using chainvisor::net::TlsTrust;
using chainvisor::net::test::makeSelfSigned;
using chainvisor::net::test::ServerReply;
using chainvisor::net::test::ServerRequest;
using chainvisor::net::test::ServerStats;
using chainvisor::net::test::TempFile;
using chainvisor::net::test::TestAuthority;
using chainvisor::net::test::TestCert;
using chainvisor::net::test::Then;
using chainvisor::net::test::TlsTestServer;

constexpr auto kDeadline = 20s;  // generous: the sanitizer build is slow; nothing waits for it
constexpr const char* kSecret = "5f1c9a7e-0b3d-4e2a-9c61-d2f0e8b7a415";
const std::string kAuthorization = std::string("PVEAPIToken=root@pam!chainvisor=") + kSecret;

const TestCert& selfSigned() {
    static const TestCert cert = makeSelfSigned("localhost", {"IP:127.0.0.1", "DNS:localhost"});
    return cert;
}

const TestAuthority& authority() {
    static const TestAuthority ca("chainvisor test CA");
    return ca;
}

const TestCert& caSigned() {
    static const TestCert cert = authority().issue("localhost", {"IP:127.0.0.1", "DNS:localhost"});
    return cert;
}

ServerReply ok(const ServerRequest&) {
    return ServerReply{};
}

HttpsEndpoint local(const TlsTestServer& server, const std::string& host = "127.0.0.1") {
    return HttpsEndpoint{host, server.port()};
}

TlsTrust pin(const TestCert& cert) {
    return TlsTrust{"", cert.fingerprint};
}

HttpRequest request(Method method, std::string target, std::string body = {},
                    std::string contentType = {}) {
    HttpRequest r;
    r.method = method;
    r.target = std::move(target);
    r.body = std::move(body);
    r.contentType = std::move(contentType);
    r.headers["Authorization"] = kAuthorization;
    return r;
}

HttpRequest get(std::string target = "/api2/json/version") {
    return request(Method::Get, std::move(target));
}

bool closedAtLeast(const TlsTestServer& server, std::size_t count) {
    return server.waitUntil([count](const ServerStats& s) { return s.closed >= count; });
}

}  // namespace

TEST_CASE("GET, POST, PUT and DELETE carry their bodies and content types", "[net][https]") {
    TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
        ServerReply reply;
        reply.body = R"({"data":")" + r.method + " " + r.target + "\"}";
        return reply;
    });
    HttpsClient client(local(server), pin(selfSigned()));

    const auto got = client.send(get("/api2/json/nodes"), kDeadline);
    REQUIRE(got.ok());
    CHECK(got.response.status == 200);
    CHECK(got.response.reason == "OK");
    CHECK(got.response.body == R"({"data":"GET /api2/json/nodes"})");

    const auto posted =
        client.send(request(Method::Post, "/api2/json/nodes/pve/lxc", "vmid=101&hostname=val-1",
                            "application/x-www-form-urlencoded"),
                    kDeadline);
    REQUIRE(posted.ok());
    CHECK(posted.response.body == R"({"data":"POST /api2/json/nodes/pve/lxc"})");

    const auto put = client.send(request(Method::Put, "/api2/json/nodes/pve/lxc/101/config",
                                         R"({"memory":4096,"onboot":true})", "application/json"),
                                 kDeadline);
    REQUIRE(put.ok());

    const auto deleted = client.send(
        request(Method::Delete, "/api2/json/nodes/pve/lxc/101?force=1&purge=1"), kDeadline);
    REQUIRE(deleted.ok());
    CHECK(deleted.response.body ==
          R"({"data":"DELETE /api2/json/nodes/pve/lxc/101?force=1&purge=1"})");

    const auto seen = server.received();
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].body.empty());
    CHECK(seen[0].header("content-type").empty());
    CHECK(seen[0].header("authorization") == kAuthorization);
    CHECK(seen[0].header("user-agent") == "chainvisord");
    CHECK(seen[0].header("host") == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(seen[1].method == "POST");
    CHECK(seen[1].body == "vmid=101&hostname=val-1");
    CHECK(seen[1].header("content-type") == "application/x-www-form-urlencoded");
    CHECK(seen[1].header("content-length") == "23");
    CHECK(seen[2].method == "PUT");
    CHECK(seen[2].body == R"({"memory":4096,"onboot":true})");
    CHECK(seen[2].header("content-type") == "application/json");
    CHECK(seen[3].method == "DELETE");
    CHECK(seen[3].target == "/api2/json/nodes/pve/lxc/101?force=1&purge=1");
    CHECK(seen[3].body.empty());
}

TEST_CASE("The reason phrase of an error status is surfaced as Proxmox sent it", "[net][https]") {
    TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
        ServerReply reply;
        if (r.target.find("locked") != std::string::npos) {
            reply.status = 500;
            reply.reason = "CT is locked (disk)";
        } else if (r.target.find("proxy") != std::string::npos) {
            reply.status = 595;
            reply.reason = "Connection refused";
        } else {
            reply.status = 400;
            reply.reason = "Parameter verification failed.";
            reply.body = R"({"data":null,"errors":{"vmid":"VM 218 already exists"}})";
        }
        return reply;
    });
    HttpsClient client(local(server), pin(selfSigned()));

    const auto locked = client.send(get("/locked"), kDeadline);
    REQUIRE(locked.ok());
    CHECK(locked.response.status == 500);
    CHECK(locked.response.reason == "CT is locked (disk)");
    CHECK(locked.response.body == R"({"data":null})");

    const auto proxied = client.send(get("/proxy"), kDeadline);
    REQUIRE(proxied.ok());
    CHECK(proxied.response.status == 595);
    CHECK(proxied.response.reason == "Connection refused");

    const auto invalid = client.send(
        request(Method::Post, "/params", "vmid=218", "application/x-www-form-urlencoded"),
        kDeadline);
    REQUIRE(invalid.ok());
    CHECK(invalid.response.status == 400);
    CHECK(invalid.response.reason == "Parameter verification failed.");
    CHECK_THAT(invalid.response.body, Contains("VM 218 already exists"));
}

TEST_CASE("A pinned fingerprint accepts exactly that certificate, in any case",
          "[net][https][tls]") {
    TlsTestServer server(selfSigned(), ok);
    std::string lower = selfSigned().fingerprint;
    for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const auto& pinned : {selfSigned().fingerprint, lower}) {
        // The pin skips the name check too: the certificate does not name this host.
        HttpsClient client(local(server, "127.0.0.1"), TlsTrust{"", pinned});
        const auto got = client.send(get(), kDeadline);
        INFO(got.error);
        CHECK(got.ok());
        CHECK(got.response.status == 200);
    }
}

TEST_CASE("A pinned fingerprint refuses another certificate, naming both", "[net][https][tls]") {
    TlsTestServer server(selfSigned(), ok);
    const TestCert other = makeSelfSigned("localhost", {"IP:127.0.0.1"});
    HttpsClient client(local(server), pin(other));

    const auto got = client.send(get(), kDeadline);
    REQUIRE_FALSE(got.ok());
    CHECK_FALSE(got.timedOut);
    CHECK(got.response.status == 0);
    CHECK_THAT(got.error, Contains("certificate fingerprint " + selfSigned().fingerprint +
                                   " does not match the pinned " + other.fingerprint));
    // Nothing, the token least of all, reached the wrong server.
    REQUIRE(closedAtLeast(server, 1));
    CHECK(server.stats().requests == 0);
}

TEST_CASE("A CA file trusts the certificates it signed, by IP and by name", "[net][https][tls]") {
    TlsTestServer server(caSigned(), ok);
    TempFile caFile(authority().cert().certPem);

    HttpsClient byIp(local(server, "127.0.0.1"), TlsTrust{caFile.path(), ""});
    const auto viaIp = byIp.send(get(), kDeadline);
    INFO(viaIp.error);
    REQUIRE(viaIp.ok());

    HttpsClient byName(local(server, "localhost"), TlsTrust{caFile.path(), ""});
    const auto viaName = byName.send(get(), kDeadline);
    INFO(viaName.error);
    REQUIRE(viaName.ok());

    const auto seen = server.received();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].sni.empty());  // no SNI for an IP address
    CHECK(seen[1].sni == "localhost");
}

TEST_CASE("The system CA store refuses a self-signed certificate, showing its fingerprint",
          "[net][https][tls]") {
    TlsTestServer server(selfSigned(), ok);
    HttpsClient client(local(server), TlsTrust{});

    const auto got = client.send(get(), kDeadline);
    REQUIRE_FALSE(got.ok());
    CHECK_FALSE(got.timedOut);
    CHECK_THAT(got.error, Contains("not trusted by the system CA store"));
    CHECK_THAT(got.error, Contains("self-signed") || Contains("self signed"));
    CHECK_THAT(got.error, Contains(selfSigned().fingerprint));
    REQUIRE(closedAtLeast(server, 1));
    CHECK(server.stats().requests == 0);
}

TEST_CASE("A CA file does not trust certificates it did not sign", "[net][https][tls]") {
    TlsTestServer server(selfSigned(), ok);
    TempFile caFile(authority().cert().certPem);
    HttpsClient client(local(server), TlsTrust{caFile.path(), ""});

    const auto got = client.send(get(), kDeadline);
    REQUIRE_FALSE(got.ok());
    CHECK_THAT(got.error, Contains("not trusted by the CA file " + caFile.path()));
    CHECK_THAT(got.error, Contains(selfSigned().fingerprint));
}

TEST_CASE("A CA file still requires the certificate to name the host", "[net][https][tls]") {
    const TestCert elsewhere = authority().issue("other.example", {"DNS:other.example"});
    TlsTestServer server(elsewhere, ok);
    TempFile caFile(authority().cert().certPem);

    HttpsClient byIp(local(server, "127.0.0.1"), TlsTrust{caFile.path(), ""});
    const auto viaIp = byIp.send(get(), kDeadline);
    REQUIRE_FALSE(viaIp.ok());
    CHECK_THAT(viaIp.error,
               Contains("the certificate is for DNS:other.example, not for 127.0.0.1"));

    HttpsClient byName(local(server, "localhost"), TlsTrust{caFile.path(), ""});
    const auto viaName = byName.send(get(), kDeadline);
    REQUIRE_FALSE(viaName.ok());
    CHECK_THAT(viaName.error,
               Contains("the certificate is for DNS:other.example, not for localhost"));

    REQUIRE(closedAtLeast(server, 2));
    CHECK(server.stats().requests == 0);
}

TEST_CASE("The deadline ends a request to a server that never answers", "[net][https][deadline]") {
    SECTION("silent before the TLS handshake") {
        TlsTestServer server(selfSigned(), ok, TlsTestServer::Mode::SilentTcp);
        HttpsClient client(local(server), pin(selfSigned()));
        const auto got = client.send(get(), 300ms);
        CHECK(got.timedOut);
        CHECK_THAT(got.error, Contains("timed out after 300 ms in the TLS handshake"));
        CHECK(got.response.status == 0);
    }
    SECTION("silent after reading the request") {
        TlsTestServer server(selfSigned(), [](const ServerRequest&) {
            ServerReply reply;
            reply.then = Then::Hang;
            return reply;
        });
        HttpsClient client(local(server), pin(selfSigned()));
        const auto got = client.send(get(), 300ms);
        CHECK(got.timedOut);
        CHECK_THAT(got.error, Contains("timed out after 300 ms waiting for the response"));
        // A timed-out request is not retried, whatever its method.
        CHECK(server.stats().requests == 1);
        CHECK(client.idleConnections() == 0);
    }
}

TEST_CASE("A refused connection is a transport error", "[net][https]") {
    std::uint16_t port = 0;
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    HttpsClient client(HttpsEndpoint{"127.0.0.1", port}, pin(selfSigned()));
    const auto got = client.send(get(), kDeadline);
    REQUIRE_FALSE(got.ok());
    CHECK_FALSE(got.timedOut);
    CHECK_THAT(got.error, Contains("127.0.0.1:" + std::to_string(port) + ": connect: "));
}

TEST_CASE("Sequential requests share one kept-alive connection", "[net][https][pool]") {
    TlsTestServer server(selfSigned(), ok);
    HttpsClient client(local(server), pin(selfSigned()));
    for (int i = 0; i < 5; ++i) {
        const auto got = client.send(get(), kDeadline);
        INFO(got.error);
        REQUIRE(got.ok());
    }
    CHECK(server.stats().accepts == 1);
    CHECK(server.stats().requests == 5);
    CHECK(client.idleConnections() == 1);
}

TEST_CASE("A connection idle longer than maxIdleTime is not reused", "[net][https][pool]") {
    TlsTestServer server(selfSigned(), ok);
    HttpsClientOptions options;
    options.maxIdleTime = 0ms;
    HttpsClient client(local(server), pin(selfSigned()), options);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(client.send(get(), kDeadline).ok());
    }
    CHECK(server.stats().accepts == 3);
}

TEST_CASE("After an error response closes the connection, the next request opens another",
          "[net][https][pool]") {
    TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
        ServerReply reply;
        if (r.connection == 0) {
            reply.status = 500;
            reply.reason = "CT 100 already running";
            reply.then = Then::Close;
        }
        return reply;
    });
    HttpsClient client(local(server), pin(selfSigned()));

    const auto failed = client.send(get(), kDeadline);
    REQUIRE(failed.ok());
    CHECK(failed.response.status == 500);
    CHECK(failed.response.reason == "CT 100 already running");
    CHECK(client.idleConnections() == 0);

    const auto next = client.send(get(), kDeadline);
    INFO(next.error);
    REQUIRE(next.ok());
    CHECK(next.response.status == 200);
    CHECK(server.stats().accepts == 2);
    CHECK(server.stats().requests == 2);
}

TEST_CASE("Connection: close in a response is honoured even if the socket stays open",
          "[net][https][pool]") {
    TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
        ServerReply reply;
        if (r.connection == 0) {
            reply.then = Then::CloseHeaderOnly;
        }
        return reply;
    });
    HttpsClient client(local(server), pin(selfSigned()));
    REQUIRE(client.send(get(), kDeadline).ok());
    CHECK(client.idleConnections() == 0);
    REQUIRE(client.send(get(), kDeadline).ok());
    CHECK(server.stats().accepts == 2);
    CHECK(server.received()[1].connection == 1);
}

TEST_CASE("A connection the server closed while idle is not used: even a POST goes through",
          "[net][https][pool]") {
    TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
        ServerReply reply;
        if (r.connection == 0) {
            reply.then = Then::CloseSilently;  // as after Proxmox's 5 s keep-alive timeout
        }
        return reply;
    });
    HttpsClient client(local(server), pin(selfSigned()));
    REQUIRE(client.send(get(), kDeadline).ok());
    REQUIRE(client.idleConnections() == 1);
    REQUIRE(closedAtLeast(server, 1));

    const auto posted =
        client.send(request(Method::Post, "/api2/json/nodes/pve/lxc/100/status/start"), kDeadline);
    INFO(posted.error);
    REQUIRE(posted.ok());
    CHECK(server.stats().accepts == 2);
    const auto seen = server.received();
    REQUIRE(seen.size() == 2);  // the POST was sent once
    CHECK(seen[1].method == "POST");
    CHECK(seen[1].connection == 1);
}

TEST_CASE("A kept-alive connection closed under a request: retried once only if idempotent",
          "[net][https][retry]") {
    // The server reads the second request on its first connection and closes without a word,
    // as when Proxmox's idle timeout and the request cross on the wire.
    auto dropSecondOnFirst = [](const ServerRequest& r) {
        ServerReply reply;
        if (r.connection == 0 && r.sequence == 1) {
            reply.then = Then::DropWithoutReply;
        }
        return reply;
    };

    for (auto method : {Method::Get, Method::Put, Method::Delete}) {
        TlsTestServer server(selfSigned(), dropSecondOnFirst);
        HttpsClient client(local(server), pin(selfSigned()));
        REQUIRE(client.send(get(), kDeadline).ok());
        const auto got =
            client.send(request(method, "/api2/json/nodes/pve/lxc/100/config"), kDeadline);
        INFO(got.error);
        REQUIRE(got.ok());
        CHECK(got.response.status == 200);
        CHECK(server.stats().accepts == 2);
        const auto seen = server.received();
        REQUIRE(seen.size() == 3);
        CHECK(seen[1].connection == 0);
        CHECK(seen[2].connection == 1);
        CHECK(seen[2].method == seen[1].method);
    }

    SECTION("a POST is not re-sent: it may have taken effect") {
        TlsTestServer server(selfSigned(), dropSecondOnFirst);
        HttpsClient client(local(server), pin(selfSigned()));
        REQUIRE(client.send(get(), kDeadline).ok());
        const auto got = client.send(
            request(Method::Post, "/api2/json/nodes/pve/lxc", "vmid=100", "text/plain"), kDeadline);
        REQUIRE_FALSE(got.ok());
        CHECK_FALSE(got.timedOut);
        CHECK_THAT(got.error, Contains("the server closed the connection before responding"));
        CHECK_THAT(got.error, Contains("not retried: a POST may have taken effect"));
        CHECK(server.stats().requests == 2);
        CHECK(server.stats().accepts == 1);
    }

    SECTION("the retry happens once") {
        TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
            ServerReply reply;
            if (r.connection != 0 || r.sequence != 0) {
                reply.then = Then::DropWithoutReply;
            }
            return reply;
        });
        HttpsClient client(local(server), pin(selfSigned()));
        REQUIRE(client.send(get(), kDeadline).ok());
        const auto got = client.send(get(), kDeadline);
        REQUIRE_FALSE(got.ok());
        CHECK_THAT(got.error, Contains("closed the connection before responding"));
        CHECK(server.stats().requests == 3);
        CHECK(server.stats().accepts == 2);
    }

    SECTION("a failure on a fresh connection is not retried") {
        TlsTestServer server(selfSigned(), [](const ServerRequest&) {
            ServerReply reply;
            reply.then = Then::DropWithoutReply;
            return reply;
        });
        HttpsClient client(local(server), pin(selfSigned()));
        const auto got = client.send(get(), kDeadline);
        REQUIRE_FALSE(got.ok());
        CHECK_THAT(got.error, Contains("closed the connection before responding"));
        CHECK_THAT(got.error, !Contains("not retried"));
        CHECK(server.stats().requests == 1);
        CHECK(server.stats().accepts == 1);
    }
}

TEST_CASE("Four threads share the client and its pool", "[net][https][pool]") {
    TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
        ServerReply reply;
        reply.body = R"({"data":")" + r.target + "\"}";
        return reply;
    });
    HttpsClient client(local(server), pin(selfSigned()));
    constexpr int kThreads = 4;
    constexpr int kEach = 10;
    std::vector<std::vector<HttpExchange>> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                results[t].push_back(client.send(
                    get("/t" + std::to_string(t) + "/" + std::to_string(i)), kDeadline));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (int t = 0; t < kThreads; ++t) {
        REQUIRE(results[t].size() == kEach);
        for (int i = 0; i < kEach; ++i) {
            INFO(results[t][i].error);
            REQUIRE(results[t][i].ok());
            CHECK(results[t][i].response.body ==
                  R"({"data":"/t)" + std::to_string(t) + "/" + std::to_string(i) + "\"}");
        }
    }
    CHECK(server.stats().requests == kThreads * kEach);
    // Each thread holds at most one connection; a new one opens only when none is idle.
    CHECK(server.stats().accepts <= kThreads);
    CHECK(client.idleConnections() == server.stats().accepts);
}

TEST_CASE("The pool keeps at most maxIdleConnections", "[net][https][pool]") {
    // The server holds every reply until `wanted` requests are in flight at once.
    std::mutex mutex;
    std::condition_variable arrivedChanged;
    std::size_t arrived = 0;
    TlsTestServer server(selfSigned(), [&](const ServerRequest&) {
        std::unique_lock lock(mutex);
        const std::size_t wanted = arrived < 8 ? 8 : 12;
        ++arrived;
        arrivedChanged.notify_all();
        arrivedChanged.wait_for(lock, 20s, [&] { return arrived >= wanted; });
        return ServerReply{};
    });
    HttpsClient client(local(server), pin(selfSigned()));

    auto round = [&](int threads) {
        std::vector<HttpExchange> results(static_cast<std::size_t>(threads));
        std::vector<std::thread> workers;
        for (int i = 0; i < threads; ++i) {
            workers.emplace_back(
                [&, i] { results[static_cast<std::size_t>(i)] = client.send(get(), kDeadline); });
        }
        for (auto& worker : workers) {
            worker.join();
        }
        return results;
    };

    for (const auto& got : round(8)) {
        INFO(got.error);
        REQUIRE(got.ok());
    }
    CHECK(server.stats().accepts == 8);
    CHECK(client.idleConnections() == 4);
    REQUIRE(closedAtLeast(server, 4));  // the four the pool had no room for

    for (const auto& got : round(4)) {
        INFO(got.error);
        REQUIRE(got.ok());
    }
    CHECK(server.stats().accepts == 8);  // the four kept were used
    CHECK(server.stats().closed == 4);
}

TEST_CASE("A response body over the cap is refused with a clear error", "[net][https]") {
    SECTION("the default cap is 16 MiB") {
        TlsTestServer server(selfSigned(), [](const ServerRequest&) {
            ServerReply reply;
            reply.body = std::string(16 * 1024 * 1024 + 1, 'x');
            return reply;
        });
        HttpsClient client(local(server), pin(selfSigned()));
        const auto got = client.send(get(), kDeadline);
        REQUIRE_FALSE(got.ok());
        CHECK_FALSE(got.timedOut);
        CHECK_THAT(got.error, Contains("the response body exceeds the limit of 16 MiB"));
        CHECK(got.response.body.empty());
        CHECK(client.idleConnections() == 0);
    }
    SECTION("a chunked body is counted as it arrives; the cap itself is allowed") {
        TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
            ServerReply reply;
            reply.chunked = true;
            reply.body = std::string(r.target == "/over" ? 1025 : 1024, 'x');
            return reply;
        });
        HttpsClientOptions options;
        options.maxBodyBytes = 1024;
        HttpsClient client(local(server), pin(selfSigned()), options);
        const auto atCap = client.send(get("/at"), kDeadline);
        REQUIRE(atCap.ok());
        CHECK(atCap.response.body.size() == 1024);
        const auto over = client.send(get("/over"), kDeadline);
        REQUIRE_FALSE(over.ok());
        CHECK_THAT(over.error, Contains("the response body exceeds the limit of 1024 bytes"));
    }
}

TEST_CASE("Malformed requests are refused before anything is sent", "[net][https]") {
    TlsTestServer server(selfSigned(), ok);
    HttpsClient client(local(server), pin(selfSigned()));
    CHECK_THAT(client.send(get("api2/json/nodes"), kDeadline).error, Contains("start with '/'"));
    CHECK_THAT(client.send(get("/api2/json/a b"), kDeadline).error, Contains("percent-encode"));
    auto badName = get();
    badName.headers["Bad Name"] = "x";
    CHECK_THAT(client.send(badName, kDeadline).error, Contains("invalid name"));
    CHECK(server.stats().accepts == 0);
}

TEST_CASE("No error text ever contains a header value", "[net][https][secrets]") {
    std::vector<std::string> errors;

    {  // sanity: the token does travel, so its absence below means something
        TlsTestServer server(selfSigned(), ok);
        HttpsClient client(local(server), pin(selfSigned()));
        REQUIRE(client.send(get(), kDeadline).ok());
        REQUIRE(server.received().at(0).header("authorization") == kAuthorization);
    }
    {  // a header value that would split the request (and carries the secret)
        TlsTestServer server(selfSigned(), ok);
        HttpsClient client(local(server), pin(selfSigned()));
        auto injected = get();
        injected.headers["Authorization"] = kAuthorization + "\r\nX-Injected: 1";
        errors.push_back(client.send(injected, kDeadline).error);
        CHECK_THAT(errors.back(), Contains("Authorization") && Contains("not shown"));
    }
    {  // the wrong server
        TlsTestServer server(selfSigned(), ok);
        HttpsClient client(local(server), pin(makeSelfSigned("x", {"DNS:x"})));
        errors.push_back(client.send(get(), kDeadline).error);
    }
    {  // an untrusted server
        TlsTestServer server(selfSigned(), ok);
        HttpsClient client(local(server), TlsTrust{});
        errors.push_back(client.send(get(), kDeadline).error);
    }
    {  // dropped, timed out, too big
        TlsTestServer server(selfSigned(), [](const ServerRequest& r) {
            ServerReply reply;
            if (r.target == "/drop") {
                reply.then = Then::DropWithoutReply;
            } else if (r.target == "/hang") {
                reply.then = Then::Hang;
            } else {
                reply.body = std::string(2048, 'x');
            }
            return reply;
        });
        HttpsClientOptions options;
        options.maxBodyBytes = 1024;
        HttpsClient client(local(server), pin(selfSigned()), options);
        errors.push_back(client.send(get("/drop"), kDeadline).error);
        errors.push_back(client.send(get("/hang"), 200ms).error);
        errors.push_back(client.send(get("/big"), kDeadline).error);
        errors.push_back(
            client
                .send(request(Method::Post, "/drop", std::string("password=") + kSecret,
                              "application/x-www-form-urlencoded"),
                      kDeadline)
                .error);
    }
    REQUIRE(errors.size() == 7);
    for (const auto& error : errors) {
        INFO(error);
        CHECK_FALSE(error.empty());
        CHECK_THAT(error, !Contains(kSecret));
        CHECK_THAT(error, !Contains("PVEAPIToken"));
        CHECK_THAT(error, !Contains("root@pam!chainvisor"));
    }
}
