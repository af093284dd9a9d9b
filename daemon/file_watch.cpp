#include "file_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>

namespace chainvisor::daemon {

namespace asio = boost::asio;

namespace {

// Whether a batch of inotify events names `file`. (Outside the coroutine: inotify_event ends in a
// flexible array member, which cannot live in a coroutine frame.)
bool mentions(const char* data, std::size_t size, std::string_view file) {
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= size;) {
        inotify_event event{};
        std::memcpy(&event, data + offset, sizeof event);
        if (event.len > 0) {
            const char* name = data + offset + sizeof(inotify_event);
            if (file == std::string_view(name, ::strnlen(name, event.len))) {
                return true;
            }
        }
        offset += sizeof(inotify_event) + event.len;
    }
    return false;
}

}  // namespace

FileWatch::FileWatch(asio::io_context& io, const std::filesystem::path& file, std::string& error)
    : stream_(io), name_(file.filename().string()) {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        error = std::string("inotify_init1: ") + std::strerror(errno);
        return;
    }
    auto dir = file.parent_path();
    if (dir.empty()) {
        dir = ".";
    }
    if (::inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE) <
        0) {
        error = "cannot watch " + dir.string() + ": " + std::strerror(errno);
        ::close(fd);
        return;
    }
    stream_.assign(fd);
}

asio::awaitable<void> FileWatch::run(std::function<void()> onChange) {
    if (!stream_.is_open()) {
        co_return;
    }
    std::array<char, 16 * 1024> buffer{};
    while (true) {
        boost::system::error_code ec;
        const std::size_t n = co_await stream_.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;  // closed at shutdown, or the descriptor failed: SIGHUP still works
        }
        if (mentions(buffer.data(), n, name_)) {
            onChange();
        }
    }
}

void FileWatch::close() {
    boost::system::error_code ignored;
    stream_.close(ignored);
}

}  // namespace chainvisor::daemon
