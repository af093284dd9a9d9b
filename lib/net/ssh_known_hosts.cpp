#include "net/ssh_known_hosts.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <sstream>

namespace chainvisor::net::detail {

namespace {

std::string base64(const unsigned char* data, std::size_t size, bool pad) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::size_t n = std::min<std::size_t>(3, size - i);
        std::uint32_t v = static_cast<std::uint32_t>(data[i]) << 16;
        if (n > 1) {
            v |= static_cast<std::uint32_t>(data[i + 1]) << 8;
        }
        if (n > 2) {
            v |= data[i + 2];
        }
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        if (n > 1) {
            out += kAlphabet[(v >> 6) & 63];
        } else if (pad) {
            out += '=';
        }
        if (n > 2) {
            out += kAlphabet[v & 63];
        } else if (pad) {
            out += '=';
        }
    }
    return out;
}

std::string base64(const std::string& raw) {
    return base64(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), true);
}

struct KeyType {
    int hostkeyType;    // LIBSSH2_HOSTKEY_TYPE_*
    int knownhostType;  // LIBSSH2_KNOWNHOST_KEY_*
    const char* algorithm;
    const char* keyscanType;  // ssh-keyscan -t
};

// In libssh2's own order of preference, which the handshake offer keeps.
constexpr std::array<KeyType, 6> kKeyTypes{{
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256",
     "ecdsa"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384",
     "ecdsa"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521",
     "ecdsa"},
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519", "ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa", "rsa"},
    {LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss", "dsa"},
}};

const KeyType* keyTypeOf(int hostkeyType) {
    for (const auto& t : kKeyTypes) {
        if (t.hostkeyType == hostkeyType) {
            return &t;
        }
    }
    return nullptr;
}

// How known_hosts names host:port.
std::string entryName(const std::string& host, int port) {
    return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
}

std::string trim(const std::string& line) {
    const auto begin = line.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) {
        return {};
    }
    const auto end = line.find_last_not_of(" \t\r\n");
    return line.substr(begin, end - begin + 1);
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

bool writeAll(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string hostKeyFingerprint(LIBSSH2_SESSION* session) {
    const char* hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256);
    if (hash == nullptr) {
        return "SHA256:?";
    }
    return "SHA256:" + base64(reinterpret_cast<const unsigned char*>(hash), 32, false);
}

KnownHosts::KnownHosts(LIBSSH2_SESSION* session, std::string path)
    : session_(session), path_(std::move(path)) {}

KnownHosts::~KnownHosts() {
    if (hosts_ != nullptr) {
        libssh2_knownhost_free(hosts_);
    }
}

bool KnownHosts::load(std::string& error) {
    if (hosts_ != nullptr) {
        libssh2_knownhost_free(hosts_);
    }
    revoked_.clear();
    hosts_ = libssh2_knownhost_init(session_);
    if (hosts_ == nullptr) {
        error = "cannot read " + path_ + ": out of memory";
        return false;
    }
    std::string content;
    {
        const Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) {
            if (errno == ENOENT) {
                return true;
            }
            error = "cannot read " + path_ + ": " + std::strerror(errno);
            return false;
        }
        char buffer[8192];
        for (;;) {
            const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                error = "cannot read " + path_ + ": " + std::strerror(errno);
                return false;
            }
            if (n == 0) {
                break;
            }
            content.append(buffer, static_cast<std::size_t>(n));
        }
    }
    // Line by line, not libssh2_knownhost_readfile: that gives up on the whole file at the
    // first line it cannot parse (and splits lines longer than 4 KiB).
    std::istringstream in(content);
    std::string line;
    while (std::getline(in, line)) {
        const std::string text = trim(line);
        if (text.empty() || text.front() == '#') {
            continue;
        }
        if (text.front() == '@') {
            std::istringstream fields(text);
            std::string marker, names, type, key;
            fields >> marker >> names >> type >> key;
            if (marker == "@revoked" && !key.empty()) {
                revoked_.push_back(key);
            }
            continue;
        }
        libssh2_knownhost_readline(hosts_, text.c_str(), text.size(),
                                   LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
    return true;
}

std::string KnownHosts::heldAlgorithms(const std::string& host, int port) const {
    std::string out;
    for (const auto& t : kKeyTypes) {
        // A key that cannot be right shows whether a key of this type is held for the host.
        static constexpr char kNoKey[] = "AAAA";
        const int found = libssh2_knownhost_checkp(
            hosts_, host.c_str(), port, kNoKey, sizeof(kNoKey) - 1,
            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64 | t.knownhostType,
            nullptr);
        if (found == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
            if (!out.empty()) {
                out += ',';
            }
            out += t.algorithm;
        }
    }
    return out;
}

KnownHosts::Match KnownHosts::check(const std::string& host, int port, const std::string& key,
                                    int keyType) const {
    const int found = libssh2_knownhost_checkp(
        hosts_, host.c_str(), port, key.data(), key.size(),
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keyType, nullptr);
    switch (found) {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return Match::Known;
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            return Match::Unknown;
        default:
            // A mismatch, or a failure to compare: either way not a key we know.
            return Match::Changed;
    }
}

HostKeyVerdict KnownHosts::verify(const std::string& host, int port, bool trustOnFirstUse) {
    std::size_t length = 0;
    int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;
    const char* raw = libssh2_session_hostkey(session_, &length, &type);
    const KeyType* keyType = keyTypeOf(type);
    if (raw == nullptr || keyType == nullptr) {
        return {"the server presented a host key of a type libssh2 cannot check", true};
    }
    const std::string key(raw, length);
    const std::string name = entryName(host, port);
    const std::string fingerprint = hostKeyFingerprint(session_);
    const std::string shown = std::string(keyType->algorithm) + " key " + fingerprint;

    for (const auto& r : revoked_) {
        if (r == base64(key)) {
            return {"the host key of " + name + " (" + shown + ") is marked @revoked in " + path_,
                    true};
        }
    }
    switch (check(host, port, key, keyType->knownhostType)) {
        case Match::Known:
            return {};
        case Match::Changed:
            return {"the host key of " + name + " CHANGED: it presented " + shown + ", but " +
                        path_ + " holds a different " + keyType->algorithm +
                        " key for it; this may be a man-in-the-middle attack. If the host was "
                        "reinstalled, check the new fingerprint on its console, remove the old "
                        "entry (ssh-keygen -R '" +
                        name + "' -f " + path_ + ") and add the new key",
                    true};
        case Match::Unknown:
            break;
    }
    if (trustOnFirstUse) {
        return trust(host, port, key, keyType->knownhostType, keyType->algorithm, fingerprint);
    }
    return {"the host key of " + name + " is unknown: it presented " + shown + ", which " + path_ +
                " does not hold. Check the fingerprint on the host (ssh-keygen -lf "
                "/etc/ssh/ssh_host_" +
                keyType->keyscanType + "_key.pub), then add the key with: ssh-keyscan -p " +
                std::to_string(port) + " -t " + keyType->keyscanType + " " + host + " >> " + path_,
            true};
}

HostKeyVerdict KnownHosts::trust(const std::string& host, int port, const std::string& key,
                                 int keyType, const std::string& algorithm,
                                 const std::string& fingerprint) {
    const std::string name = entryName(host, port);
    auto failed = [&](const char* what) {
        return HostKeyVerdict{"cannot add the host key of " + name + " to " + path_ + ": " + what +
                                  ": " + std::strerror(errno),
                              false};
    };
    const Fd fd(::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
        return failed("open");
    }
    // Another client (thread or process) may be trusting the same host right now: the lock
    // makes the second one find the first one's entry instead of adding its own.
    if (::flock(fd.get(), LOCK_EX) != 0) {
        return failed("lock");
    }
    std::string error;
    if (!load(error)) {
        return {error, false};
    }
    switch (check(host, port, key, keyType)) {
        case Match::Known:
            return {};
        case Match::Changed:
            return verify(host, port, false);
        case Match::Unknown:
            break;
    }
    std::string line = name + " " + algorithm + " " + base64(key) + "\n";
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
        char last = '\n';
        if (::pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') {
            line.insert(line.begin(), '\n');
        }
    }
    if (!writeAll(fd.get(), line)) {
        return failed("write");
    }
    if (::fsync(fd.get()) != 0) {
        return failed("fsync");
    }
    spdlog::warn("ssh: trusted the host key of {} on first use: {} key {}; added to {}", name,
                 algorithm, fingerprint, path_);
    return {};
}

}  // namespace chainvisor::net::detail
