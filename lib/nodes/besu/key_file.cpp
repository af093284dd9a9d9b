#include "nodes/besu/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "nodes/besu/random_bytes.h"
#include "nodes/besu/secret.h"

namespace chainvisor::nodes::besu {
namespace {

// Far above a key file's 66 bytes (a line ending included), far below anything worth reading.
constexpr off_t kMaxKeyFileBytes = 4096;

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }
    // close(2)'s own result: a write error can first show there.
    int close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

private:
    int fd_;
};

std::string failure(const std::filesystem::path& path, std::string_view what) {
    return path.string() + ": " + std::string(what) + ": " + std::strerror(errno);
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

}  // namespace

ParsedKey generateNodeKey() {
    // A uniformly random 32-byte string is outside 1..n−1 with probability about 2^−128; the loop
    // is for correctness, not expected to turn twice.
    std::array<std::uint8_t, kPrivateKeyBytes> secret{};
    for (int attempt = 0; attempt < 16; ++attempt) {
        if (auto error = fillRandom(secret); !error.empty()) {
            wipe(secret);
            return {std::nullopt, "cannot make a node key: " + error};
        }
        auto parsed = NodeKey::fromBytes(secret);
        wipe(secret);
        if (parsed.key) {
            return parsed;
        }
    }
    return {std::nullopt, "cannot make a node key: the random source gave 16 invalid keys"};
}

ParsedKey loadKeyFile(const std::filesystem::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        return {std::nullopt, failure(path, "cannot open the key file")};
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) {
        return {std::nullopt, failure(path, "cannot stat the key file")};
    }
    if (!S_ISREG(info.st_mode)) {
        return {std::nullopt, path.string() +
                                  ": not a regular file; a Besu node key file holds "
                                  "0x followed by 64 hex digits"};
    }
    if (info.st_size > kMaxKeyFileBytes) {
        return {std::nullopt, path.string() + ": the file is " + std::to_string(info.st_size) +
                                  " bytes; a Besu node key file holds 0x followed by 64 hex "
                                  "digits (66 bytes)"};
    }
    std::string content(static_cast<std::size_t>(kMaxKeyFileBytes) + 1, '\0');
    std::size_t size = 0;
    while (size < content.size()) {
        const ssize_t n = ::read(fd.get(), content.data() + size, content.size() - size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            wipe(content);
            return {std::nullopt, failure(path, "cannot read the key file")};
        }
        if (n == 0) {
            break;
        }
        size += static_cast<std::size_t>(n);
    }
    auto parsed = NodeKey::fromText(std::string_view(content.data(), size));
    wipe(content);
    if (!parsed.key) {
        parsed.error = path.string() + ": " + parsed.error;
    }
    return parsed;
}

std::string saveKeyFile(const std::filesystem::path& path, const NodeKey& key) {
    if (::access(path.c_str(), F_OK) == 0) {
        return path.string() +
               ": a key file is already there; a node key is never replaced "
               "(the node would become another node, and a validator lose its "
               "seat)";
    }
    const auto directory = path.has_parent_path() ? path.parent_path() : ".";
    // The temporary file is made beside the target (mode 0600 from mkstemp) and then linked to
    // its name: link(2) fails if the name exists, so a key that appeared meanwhile is kept.
    std::string temporary = (directory / ("." + path.filename().string() + ".XXXXXX")).string();
    Fd fd(::mkstemp(temporary.data()));
    if (fd.get() < 0) {
        return failure(directory, "cannot create a temporary file");
    }
    std::string text = key.keyFileText();
    const bool written = writeAll(fd.get(), text);
    wipe(text);
    std::string error;
    if (!written) {
        error = failure(temporary, "cannot write");
    } else if (::fchmod(fd.get(), 0600) != 0) {
        error = failure(temporary, "cannot set mode 0600");
    } else if (::fsync(fd.get()) != 0) {
        error = failure(temporary, "cannot fsync");
    } else if (fd.close() != 0) {
        error = failure(temporary, "cannot close");
    } else if (::link(temporary.c_str(), path.c_str()) != 0) {
        error = errno == EEXIST ? path.string() +
                                      ": a key file appeared while this one was "
                                      "written; it is kept, and this key dropped"
                                : failure(path, "cannot link the new key file into place");
    }
    ::unlink(temporary.c_str());
    if (!error.empty()) {
        return error;
    }
    Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
        return failure(directory, "cannot fsync the directory");
    }
    return {};
}

}  // namespace chainvisor::nodes::besu
