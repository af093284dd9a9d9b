// The socket file and the transport: mode 0660, stale sockets replaced, live ones never,
// timeouts, the connection limit.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>

#include "control/socket_file.h"
#include "root_check.h"
#include "server_harness.h"
#include "test_client.h"

namespace {

using namespace chainvisor::control;
using namespace chainvisor::control::test;
using SteadyClock = std::chrono::steady_clock;

UnixSeconds now() {
    return static_cast<UnixSeconds>(std::time(nullptr));
}

// A socket file nobody listens on: what a daemon killed with SIGKILL leaves behind.
void makeStaleSocket(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    ::close(fd);
}

}  // namespace

TEST_CASE("control: the socket file has mode 0660 and is removed at stop", "[control][socket]") {
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    struct stat st {};
    REQUIRE(::lstat(harness.socket().c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0660);
    if (!groupId("chainvisor")) {
        // Without a chainvisor group the daemon's own group keeps it.
        CHECK(st.st_gid == ::getegid());
    }
    // No temporary name is left beside it.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
        ++entries;
    }
    CHECK(entries == 2);  // control.sock, audit.log
    REQUIRE(harness.stop());
    CHECK_FALSE(std::filesystem::exists(harness.socket()));
}

TEST_CASE("control: the socket's group is the configured one when it exists", "[control][socket]") {
    TempDir dir;
    auto options = testOptions(dir.path());
    options.group = "nogroup";
    const auto gid = groupId("nogroup");
    if (!gid) {
        WARN("skipped: there is no group nogroup");
        return;
    }
    if (!haveRoot("it gives the socket to another group")) {
        return;
    }
    ServerHarness harness(options, FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    struct stat st {};
    REQUIRE(::lstat(harness.socket().c_str(), &st) == 0);
    CHECK(st.st_gid == *gid);
    CHECK((st.st_mode & 07777) == 0660);
}

TEST_CASE("control: a stale socket is replaced, anything else at the path is refused",
          "[control][socket]") {
    TempDir dir;
    const auto path = dir.path() / "control.sock";

    SECTION("a stale socket") {
        makeStaleSocket(path);
        ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
        REQUIRE(harness.startError().empty());
        CHECK(request(path, "GET", "/v1/status").status() == 200);
    }
    SECTION("a regular file") {
        std::ofstream(path) << "not a socket";
        ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
        CHECK(harness.startError() ==
              path.string() +
                  " exists and is not a socket; remove it or choose another control socket path");
        CHECK(std::filesystem::is_regular_file(path));
    }
    SECTION("a path too long for a Unix socket") {
        auto options = testOptions(dir.path());
        options.socketPath = dir.path() / std::string(120, 'x');
        ServerHarness harness(options, FakeControlApi::standard(now()));
        CHECK(harness.startError().find("too long for a Unix socket") != std::string::npos);
    }
    SECTION("a relative path") {
        auto options = testOptions(dir.path());
        options.socketPath = "control.sock";
        ServerHarness harness(options, FakeControlApi::standard(now()));
        CHECK(harness.startError() == "control socket path 'control.sock' must be absolute");
    }
}

TEST_CASE("control: a second server on the same path is refused, the first keeps serving",
          "[control][socket]") {
    TempDir dir;
    ServerHarness first(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(first.startError().empty());
    {
        ServerHarness second(testOptions(dir.path()), FakeControlApi::standard(now()));
        CHECK(second.startError() == "another server (another chainvisord?) answers on " +
                                         first.socket().string() +
                                         "; stop it first or choose another control socket path");
    }
    // The refused one removed nothing on its way out.
    CHECK(request(first.socket(), "GET", "/v1/status").status() == 200);
}

TEST_CASE("control: a connection that sends nothing is closed at the read timeout",
          "[control][socket][timeout]") {
    TempDir dir;
    auto options = testOptions(dir.path());
    options.readTimeout = std::chrono::milliseconds(200);
    ServerHarness harness(options, FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());

    const auto started = SteadyClock::now();
    const auto silent = rawExchange(harness.socket(), {}, std::chrono::seconds(10));
    CHECK(silent.connected);
    CHECK(silent.closedByServer);
    CHECK(silent.received.empty());
    CHECK(SteadyClock::now() - started >= std::chrono::milliseconds(200));
    CHECK(SteadyClock::now() - started < std::chrono::seconds(5));

    // Half a request is no better.
    const auto half =
        rawExchange(harness.socket(), "GET /v1/status HTTP/1.1\r\nHo", std::chrono::seconds(10));
    CHECK(half.closedByServer);
    CHECK(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.connections() == 0; }));
}

TEST_CASE("control: a client that does not read its reply is dropped at the write timeout",
          "[control][socket][timeout]") {
    TempDir dir;
    auto options = testOptions(dir.path());
    options.writeTimeout = std::chrono::milliseconds(200);
    auto api = FakeControlApi::standard(now());
    // A reply far larger than the socket's buffers, so the write cannot finish unread.
    const auto model = api.nodeList[0];
    api.nodeList.assign(20000, model);
    ServerHarness harness(options, std::move(api));
    REQUIRE(harness.startError().empty());

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, harness.socket().c_str(), sizeof address.sun_path - 1);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    const std::string ask = "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(::write(fd, ask.data(), ask.size()) == static_cast<ssize_t>(ask.size()));
    // Never read: the server answers, gives up on the write and closes.
    REQUIRE(harness.waitFor([](ControlServer& server, FakeControlApi& fake) {
        return fake.summaries == 1 && server.connections() == 0;
    }));
    // What got through is what the socket buffered: far less than the reply, then the end.
    std::string received;
    char buffer[65536];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
        received.append(buffer, static_cast<std::size_t>(n));
    }
    CHECK(received.starts_with("HTTP/1.1 200 OK"));
    const auto length = received.find("Content-Length: ");
    REQUIRE(length != std::string::npos);
    const auto announced = std::stoul(received.substr(length + 16));
    CHECK(received.size() < announced);
    ::close(fd);
}

TEST_CASE("control: connections past the limit get a 503, and are served again once one closes",
          "[control][socket][limit]") {
    TempDir dir;
    auto options = testOptions(dir.path());
    options.maxConnections = 2;
    options.readTimeout = std::chrono::seconds(20);
    ServerHarness harness(options, FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());

    // Two idle connections fill the server.
    auto idle1 = std::async(std::launch::async, [&] {
        return rawExchange(harness.socket(), {}, std::chrono::seconds(30));
    });
    auto idle2 = std::async(std::launch::async, [&] {
        return rawExchange(harness.socket(), {}, std::chrono::seconds(30));
    });
    REQUIRE(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.connections() == 2; }));

    const auto refused = request(harness.socket(), "GET", "/v1/status");
    CHECK(refused.status() == 503);
    CHECK(refused.errorMessage() == "too many connections to chainvisord (2); try again");

    // stop() closes the idle ones; nothing is left hanging.
    REQUIRE(harness.stop());
    CHECK(idle1.get().closedByServer);
    CHECK(idle2.get().closedByServer);
}

TEST_CASE("control: clearStaleSocket leaves a missing path alone", "[control][socket]") {
    TempDir dir;
    CHECK(clearStaleSocket(dir.path() / "none.sock").empty());
}
