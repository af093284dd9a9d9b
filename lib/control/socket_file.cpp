#include "control/socket_file.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chainvisor::control {
namespace {

std::string errnoText() {
    return std::strerror(errno);
}

// Whether a server accepts connections on the socket at `path`: yes, no, or "cannot tell" with
// the reason in `error`.
std::optional<bool> answers(const std::filesystem::path& path, std::string& error) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = "socket(): " + errnoText();
        return std::nullopt;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    // A Unix-socket connect() completes or fails at once: there is no handshake to wait for.
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    const int saved = errno;
    ::close(fd);
    if (rc == 0 || saved == EAGAIN) {  // EAGAIN: its backlog is full, so it is alive
        return true;
    }
    if (saved == ECONNREFUSED || saved == ENOENT) {
        return false;
    }
    error = std::strerror(saved);
    return std::nullopt;
}

}  // namespace

std::string clearStaleSocket(const std::filesystem::path& path) {
    if (path.native().size() > kMaxSocketPath) {
        return path.string() + ": too long for a Unix socket (at most " +
               std::to_string(kMaxSocketPath) + " bytes)";
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            return {};
        }
        return "cannot check " + path.string() + ": " + errnoText();
    }
    if (!S_ISSOCK(st.st_mode)) {
        return path.string() +
               " exists and is not a socket; remove it or choose another control socket path";
    }
    std::string error;
    const auto alive = answers(path, error);
    if (!alive) {
        return "cannot tell whether a server answers on " + path.string() + ": " + error;
    }
    if (*alive) {
        return "another server (another chainvisord?) answers on " + path.string() +
               "; stop it first or choose another control socket path";
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return "cannot remove the stale socket " + path.string() + ": " + errnoText();
    }
    return {};
}

std::filesystem::path temporarySocketPath(const std::filesystem::path& path) {
    // Short on purpose: the full path must fit in sun_path too.
    return path.parent_path() / (".cv" + std::to_string(::getpid()));
}

std::string publishSocket(const std::filesystem::path& temporary, const std::filesystem::path& path,
                          std::optional<gid_t> group, mode_t mode, FileIdentity& identity) {
    // Group before mode: the mode's group bits must never apply to the creator's group.
    if (group && ::chown(temporary.c_str(), static_cast<uid_t>(-1), *group) != 0) {
        const auto error = "cannot give " + temporary.string() + " to group " +
                           std::to_string(*group) + ": " + errnoText();
        ::unlink(temporary.c_str());
        return error;
    }
    if (::chmod(temporary.c_str(), mode) != 0) {
        const auto error = "cannot chmod " + temporary.string() + ": " + errnoText();
        ::unlink(temporary.c_str());
        return error;
    }
    // link(), unlike rename(), never replaces: a server that appeared since the stale check
    // keeps its socket and we refuse.
    if (::link(temporary.c_str(), path.c_str()) != 0) {
        const auto error = errno == EEXIST
                               ? path.string() + " appeared while starting; another server?"
                               : "cannot create " + path.string() + ": " + errnoText();
        ::unlink(temporary.c_str());
        return error;
    }
    ::unlink(temporary.c_str());
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        identity = {st.st_dev, st.st_ino};
    }
    return {};
}

void removeSocketIfOurs(const std::filesystem::path& path, const FileIdentity& identity) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && st.st_dev == identity.device &&
        st.st_ino == identity.inode) {
        ::unlink(path.c_str());
    }
}

}  // namespace chainvisor::control
