#include "hosts/lxc/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace chainvisor::hosts::lxc {
namespace {

namespace fs = std::filesystem;

std::string errnoText(int err) {
    return std::strerror(err);
}

Error ioError(const std::string& what, const fs::path& path, int err) {
    return Error::transient(what + " " + path.string() + ": " + errnoText(err));
}

bool writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void fsyncDirectory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeMountPath(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            const auto octal = text.substr(i + 1, 3);
            if (octal.size() == 3 && octal.find_first_not_of("01234567") == std::string::npos) {
                out.push_back(static_cast<char>((octal[0] - '0') * 64 + (octal[1] - '0') * 8 +
                                                (octal[2] - '0')));
                i += 3;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

struct Identity {
    dev_t dev = 0;
    std::uint64_t mountId = 0;  // 0: unknown (kernel without STATX_MNT_ID)
};

std::optional<Identity> identityAt(int dirFd, const char* name) {
    struct statx sx {};
    unsigned mask = STATX_TYPE | STATX_INO;
#ifdef STATX_MNT_ID
    mask |= STATX_MNT_ID;
#endif
    if (::statx(dirFd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, mask, &sx) != 0) {
        return std::nullopt;
    }
    Identity id;
    id.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
#ifdef STATX_MNT_ID
    if ((sx.stx_mask & STATX_MNT_ID) != 0) {
        id.mountId = sx.stx_mnt_id;
    }
#endif
    return id;
}

// Removes the entry `name` in directory `parentFd`; descends only into directories on the same
// device and mount as `root`.
Result<void> removeAt(int parentFd, const std::string& name, const Identity& root,
                      const fs::path& shown) {
    struct stat st {};
    if (::fstatat(parentFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            return {};
        }
        return ioError("cannot stat", shown, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (::unlinkat(parentFd, name.c_str(), 0) != 0 && errno != ENOENT) {
            return ioError("cannot remove", shown, errno);
        }
        return {};
    }
    const auto id = identityAt(parentFd, name.c_str());
    if (!id || id->dev != root.dev || (root.mountId != 0 && id->mountId != root.mountId)) {
        return Error::permanent("refusing to remove " + shown.string() +
                                ": it is on another filesystem or mount");
    }
    const int fd =
        ::openat(parentFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return ioError("cannot open", shown, errno);
    }
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        const int err = errno;
        ::close(fd);
        return ioError("cannot read", shown, err);
    }
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string_view n = entry->d_name;
        if (n != "." && n != "..") {
            names.emplace_back(n);
        }
    }
    Result<void> result;
    for (const auto& child : names) {
        result = removeAt(::dirfd(dir), child, root, shown / child);
        if (!result) {
            break;
        }
    }
    ::closedir(dir);
    if (!result) {
        return result;
    }
    if (::unlinkat(parentFd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return ioError("cannot remove", shown, errno);
    }
    return {};
}

}  // namespace

std::optional<std::string> readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        return std::nullopt;
    }
    return std::move(text).str();
}

Result<void> writeFileAtomic(const fs::path& path, std::string_view content, unsigned mode) {
    static std::atomic<unsigned> counter{0};
    fs::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return ioError("cannot create", tmp, errno);
    }
    bool ok =
        writeAll(fd, content) && ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && ::fsync(fd) == 0;
    const int err = errno;
    ok = (::close(fd) == 0) && ok;
    if (!ok) {
        ::unlink(tmp.c_str());
        return ioError("cannot write", path, err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int renameErr = errno;
        ::unlink(tmp.c_str());
        return ioError("cannot replace", path, renameErr);
    }
    fsyncDirectory(path.parent_path());
    return {};
}

Result<FileLock> FileLock::acquire(const fs::path& path, std::chrono::milliseconds wait) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return ioError("cannot open lock file", path, errno);
    }
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            return FileLock(fd);
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int err = errno;
            ::close(fd);
            return ioError("cannot lock", path, err);
        }
        if (std::chrono::steady_clock::now() >= until) {
            ::close(fd);
            return Error::transient("busy: " + path.string() + " is locked by another operation");
        }
        // Lock files have no wake-up; the holders are long operations, so a short nap is fine.
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

FileLock::~FileLock() {
    if (fd_ >= 0) {
        ::close(fd_);  // releases the flock
    }
}

std::vector<std::string> mountsUnder(const fs::path& dir) {
    std::error_code ec;
    fs::path base = fs::weakly_canonical(dir, ec);
    if (ec) {
        base = dir.lexically_normal();
    }
    const std::string prefix = base.string();
    std::vector<std::string> found;
    std::ifstream info("/proc/self/mountinfo");
    std::string line;
    while (std::getline(info, line)) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, mountPoint;
        if (!(fields >> id >> parent >> devno >> root >> mountPoint)) {
            continue;
        }
        const std::string point = unescapeMountPath(mountPoint);
        if (point == prefix ||
            (point.size() > prefix.size() && point.compare(0, prefix.size(), prefix) == 0 &&
             (prefix == "/" || point[prefix.size()] == '/'))) {
            found.push_back(point);
        }
    }
    return found;
}

Result<void> removeTree(const fs::path& dir) {
    const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
    const std::string name = dir.filename().string();
    if (name.empty() || name == "." || name == "..") {
        return Error::permanent("refusing to remove " + dir.string() + ": not a plain path");
    }
    const int parentFd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parentFd < 0) {
        if (errno == ENOENT) {
            return {};
        }
        return ioError("cannot open", parent, errno);
    }
    struct stat st {};
    if (::fstatat(parentFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        const int err = errno;
        ::close(parentFd);
        if (err == ENOENT) {
            return {};
        }
        return ioError("cannot stat", dir, err);
    }
    if (const auto mounts = mountsUnder(dir); !mounts.empty()) {
        ::close(parentFd);
        return Error::transient("refusing to remove " + dir.string() + ": " + mounts.front() +
                                " is still mounted");
    }
    Result<void> result;
    if (S_ISDIR(st.st_mode)) {
        const auto root = identityAt(parentFd, name.c_str());
        if (!root) {
            const int err = errno;
            ::close(parentFd);
            return ioError("cannot stat", dir, err);
        }
        result = removeAt(parentFd, name, *root, dir);
    } else if (::unlinkat(parentFd, name.c_str(), 0) != 0 && errno != ENOENT) {
        result = ioError("cannot remove", dir, errno);
    }
    ::close(parentFd);
    return result;
}

}  // namespace chainvisor::hosts::lxc
