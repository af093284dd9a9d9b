#include "tcp_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace chainvisor::net::test {

namespace {

using namespace std::chrono_literals;

constexpr int kSmallBuffer = 4096;

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    return address;
}

bool writeAll(int fd, const char* data, ssize_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, static_cast<std::size_t>(size));
        if (n <= 0) {
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

}  // namespace

TcpRelay::TcpRelay(int targetPort) : target_(targetPort) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Inherited by accepted sockets: the client cannot push far ahead of the relay.
    const int small = kSmallBuffer;
    ::setsockopt(listener_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    auto address = loopback(0);
    socklen_t length = sizeof(address);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(listener_);
        throw std::runtime_error("cannot listen for the relay");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
}

TcpRelay::~TcpRelay() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
}

void TcpRelay::serve() {
    while (!stopping_) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) {
            continue;
        }
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
            continue;
        }
        const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const auto target = loopback(target_);
        if (::connect(server, reinterpret_cast<const sockaddr*>(&target), sizeof(target)) == 0) {
            relay(client, server);
        }
        ::close(server);
        ::close(client);
    }
}

void TcpRelay::relay(int client, int server) {
    char buffer[kSmallBuffer];
    while (!stopping_) {
        if (paused_) {
            std::this_thread::sleep_for(2ms);  // a stalled path: nothing moves
            continue;
        }
        pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (::poll(fds, 2, 20) <= 0) {
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
            if (n <= 0 || !writeAll(i == 0 ? server : client, buffer, n)) {
                return;
            }
            if (i == 0) {
                forwarded_ += n;
            }
        }
    }
}

bool shrinkSendBufferTo(int peerPort, int bytes) {
    bool found = false;
    for (int fd = 0; fd < 1024; ++fd) {
        sockaddr_in peer{};
        socklen_t length = sizeof(peer);
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0 &&
            peer.sin_family == AF_INET && ntohs(peer.sin_port) == peerPort &&
            peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
            found = ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) == 0 || found;
        }
    }
    return found;
}

}  // namespace chainvisor::net::test
