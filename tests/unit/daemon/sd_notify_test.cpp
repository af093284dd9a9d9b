#include "sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace chainvisor::daemon {
namespace {

// A datagram socket bound to a fresh path, standing in for systemd's NOTIFY_SOCKET.
struct Listener {
    Listener() {
        path = std::filesystem::temp_directory_path() /
               ("cvnotify-" + std::to_string(::getpid()) + ".sock");
        std::filesystem::remove(path);
        fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    }
    ~Listener() {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::close(fd);
        std::filesystem::remove(path);
    }
    std::string receive() {
        char buf[512];
        const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
    }
    std::filesystem::path path;
    int fd = -1;
};

}  // namespace

TEST_CASE("notifications reach NOTIFY_SOCKET", "[daemon][notify]") {
    Listener listener;
    const auto notifier = Notifier::fromEnvironment();
    REQUIRE(notifier.enabled());
    CHECK(notifier.ready());
    CHECK(listener.receive() == "READY=1");
    CHECK(notifier.status("3 nodes:\n3 ready"));
    CHECK(listener.receive() == "STATUS=3 nodes: 3 ready");  // one line, always
    CHECK(notifier.reloading());
    CHECK(listener.receive().starts_with("RELOADING=1\nMONOTONIC_USEC="));
    CHECK(notifier.stopping());
    CHECK(listener.receive() == "STOPPING=1");
}

TEST_CASE("a reader that stopped draining never blocks the daemon", "[daemon][notify]") {
    Listener listener;
    const auto notifier = Notifier::fromEnvironment();
    // Far more than a datagram socket's queue holds: the sends past it fail instead of waiting.
    int failed = 0;
    for (int i = 0; i < 5000; ++i) {
        failed += notifier.status("pass " + std::to_string(i)) ? 0 : 1;
    }
    CHECK(failed > 0);
    CHECK(listener.receive() == "STATUS=pass 0");
}

TEST_CASE("without NOTIFY_SOCKET nothing is sent", "[daemon][notify]") {
    ::unsetenv("NOTIFY_SOCKET");
    const auto notifier = Notifier::fromEnvironment();
    CHECK_FALSE(notifier.enabled());
    CHECK_FALSE(notifier.ready());
    CHECK_FALSE(notifier.watchdogInterval());
}

TEST_CASE("the watchdog interval is half of WATCHDOG_USEC", "[daemon][notify]") {
    Listener listener;
    ::setenv("WATCHDOG_USEC", "20000000", 1);
    const auto notifier = Notifier::fromEnvironment();
    REQUIRE(notifier.watchdogInterval());
    CHECK(notifier.watchdogInterval()->count() == 10'000'000);
    ::setenv("WATCHDOG_USEC", "nonsense", 1);
    CHECK_FALSE(Notifier::fromEnvironment().watchdogInterval());
}

}  // namespace chainvisor::daemon
