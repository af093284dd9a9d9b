#include "os/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace chainvisor::os {
namespace {

std::string failure(std::string_view what, const std::filesystem::path& path, int error) {
    return std::string(what) + " " + path.string() + ": " + std::strerror(error);
}

std::string syncDirectory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return failure("cannot open directory", dir, errno);
    }
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    return rc == 0 ? std::string{} : failure("cannot fsync directory", dir, error);
}

}  // namespace

std::string writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                                unsigned mode) {
    auto tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    const int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) {
        return failure("cannot create", tmp, errno);
    }
    // open() applies the umask; the mode asked for is the mode wanted.
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
        const int error = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return failure("cannot chmod", tmp, error);
    }
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return failure("cannot write", tmp, error);
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return failure("cannot fsync", tmp, error);
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(tmp.c_str());
        return failure("cannot rename into place", path, error);
    }
    return syncDirectory(path.parent_path().empty() ? "." : path.parent_path());
}

std::string removeFileDurably(const std::filesystem::path& path) {
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) {
            return {};
        }
        return failure("cannot remove", path, errno);
    }
    return syncDirectory(path.parent_path().empty() ? "." : path.parent_path());
}

std::string ensureDirectory(const std::filesystem::path& dir, unsigned mode) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
        return {};
    }
    if (std::filesystem::exists(dir, ec)) {
        return dir.string() + " exists and is not a directory";
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return "cannot create directory " + dir.string() + ": " + ec.message();
    }
    if (::chmod(dir.c_str(), static_cast<mode_t>(mode)) != 0) {
        return failure("cannot chmod", dir, errno);
    }
    return {};
}

}  // namespace chainvisor::os
