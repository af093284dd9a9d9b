#include "sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace chainvisor::daemon {

Notifier Notifier::fromEnvironment() {
    Notifier n;
    if (const char* s = std::getenv("NOTIFY_SOCKET"); s != nullptr && *s != '\0') {
        n.socket_ = s;
    }
    const char* usec = std::getenv("WATCHDOG_USEC");
    const char* pid = std::getenv("WATCHDOG_PID");
    long long value = 0;
    if (usec != nullptr) {
        auto [ptr, ec] = std::from_chars(usec, usec + std::strlen(usec), value);
        const bool forUs = pid == nullptr || std::atoll(pid) == static_cast<long long>(getpid());
        if (ec == std::errc() && value > 0 && forUs) {
            n.watchdog_ = std::chrono::microseconds(value / 2);
        }
    }
    return n;
}

bool Notifier::send(std::string_view state) const {
    if (socket_.empty()) {
        return false;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_.size() >= sizeof(addr.sun_path)) {
        return false;
    }
    std::memcpy(addr.sun_path, socket_.data(), socket_.size());
    if (addr.sun_path[0] == '@') {
        addr.sun_path[0] = '\0';  // abstract namespace
    }
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    // Never block: a notification is advisory, and the io thread must not wait on a reader
    // that has stopped draining its socket.
    const auto sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                               reinterpret_cast<const sockaddr*>(&addr), len);
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

bool Notifier::reloading() const {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const long long usec = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
    return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool Notifier::status(std::string_view line) const {
    std::string s = "STATUS=";
    for (char c : line) {
        s += c == '\n' ? ' ' : c;  // one line: a newline would start a new assignment
    }
    return send(s);
}

}  // namespace chainvisor::daemon
