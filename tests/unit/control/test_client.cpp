#include "test_client.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>

namespace chainvisor::control::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;

boost::json::value Exchange::json() const {
    boost::system::error_code ec;
    auto value = response ? boost::json::parse(response->body(), ec) : boost::json::value();
    return ec ? boost::json::value() : value;
}

std::string Exchange::errorMessage() const {
    const auto value = json();
    if (const auto* object = value.if_object()) {
        if (const auto* found = object->if_contains("error"); found && found->is_string()) {
            return std::string(found->get_string());
        }
    }
    return {};
}

Exchange request(const std::filesystem::path& socket, const std::string& method,
                 const std::string& target, const std::string& body,
                 std::chrono::milliseconds deadline) {
    Exchange result;
    asio::io_context io;
    beast::basic_stream<local> stream(io);
    beast::flat_buffer buffer;
    http::request<http::string_body> message{http::string_to_verb(method), target, 11};
    message.set(http::field::host, "test");
    message.set(http::field::connection, "close");
    message.body() = body;
    message.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    boost::system::error_code ec;
    stream.expires_after(deadline);
    stream.async_connect(local::endpoint(socket.string()), [&](boost::system::error_code e) {
        if (e) {
            ec = e;
            return;
        }
        http::async_write(stream, message, [&](boost::system::error_code e2, std::size_t) {
            if (e2) {
                ec = e2;
                return;
            }
            http::async_read(stream, buffer, parser,
                             [&](boost::system::error_code e3, std::size_t) { ec = e3; });
        });
    });
    io.run();
    if (ec) {
        result.error = ec.message();
        return result;
    }
    result.response = parser.release();
    return result;
}

namespace {

int connectTo(const std::filesystem::path& socket) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

std::string httpRequest(const std::string& method, const std::string& target,
                        const std::string& body) {
    return method + " " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

RawResult rawExchange(const std::filesystem::path& socket, const std::string& bytes,
                      std::chrono::milliseconds deadline) {
    RawResult result;
    const int fd = connectTo(socket);
    if (fd < 0) {
        return result;
    }
    result.connected = true;
    if (!bytes.empty() && ::write(fd, bytes.data(), bytes.size()) < 0) {
        ::close(fd);
        return result;
    }
    const auto until = std::chrono::steady_clock::now() + deadline;
    char buffer[4096];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) {
            result.closedByServer = true;
            break;
        }
        result.received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return result;
}

int ForeignResult::status() const {
    // "HTTP/1.1 403 Forbidden"
    if (received.size() < 12 || !received.starts_with("HTTP/1.1 ")) {
        return 0;
    }
    return std::atoi(received.substr(9, 3).c_str());
}

ForeignResult exchangeAsNobody(const std::filesystem::path& socket, const std::string& method,
                               const std::string& target, const std::string& body) {
    ForeignResult result;
    const passwd* nobody = ::getpwnam("nobody");
    if (!nobody) {
        result.error = "there is no user nobody";
        return result;
    }
    const uid_t uid = nobody->pw_uid;
    const gid_t gid = nobody->pw_gid;
    const std::string bytes = httpRequest(method, target, body);
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        result.error = "pipe failed";
        return result;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        result.error = "fork failed";
        return result;
    }
    if (child == 0) {
        // The child: syscalls only. Exit codes: 0 done, 10 + errno of connect, 2 setup failed.
        // SIGALRM ends it if the server never closes.
        ::alarm(10);
        ::close(pipeFds[0]);
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
            ::_exit(2);
        }
        const int fd = connectTo(socket);
        if (fd < 0) {
            ::_exit(10 + errno);
        }
        if (::write(fd, bytes.data(), bytes.size()) < 0) {
            ::_exit(3);
        }
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
            if (::write(pipeFds[1], buffer, static_cast<std::size_t>(n)) < 0) {
                ::_exit(4);
            }
        }
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0) {
        result.received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipeFds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code >= 10) {
        result.connectErrno = code - 10;
        result.error = std::string("connect as nobody: ") + std::strerror(code - 10);
    } else if (code != 0) {
        result.error = "the child failed (exit " + std::to_string(code) + ")";
    }
    return result;
}

}  // namespace chainvisor::control::test
