// SshSession's authentication: public keys only, from the agent and/or a key file. Refusals are
// permanent (a key must be installed or changed); names are reported, never key material.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "net/ssh_session.h"

namespace chainvisor::net::detail {

namespace {

std::string readHead(const std::string& path, std::size_t limit) {
    std::string out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return out;
    }
    out.resize(limit);
    std::size_t got = 0;
    while (got < limit) {
        const ssize_t n = ::read(fd, out.data() + got, limit - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

std::string decodeBase64(const std::string& text) {
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else {
            continue;
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

// Whether the key file holds an RSA key: the public part of an OpenSSH-format key is in the
// clear (its type name near the start), and a PEM RSA key says so in its header.
bool isRsaKeyFile(const std::string& path) {
    const std::string head = readHead(path, 4096);
    if (head.find("-----BEGIN RSA PRIVATE KEY-----") != std::string::npos) {
        return true;
    }
    constexpr std::string_view kOpenSsh = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const auto begin = head.find(kOpenSsh);
    if (begin == std::string::npos) {
        return false;
    }
    const std::string decoded = decodeBase64(head.substr(begin + kOpenSsh.size(), 400));
    return decoded.find("ssh-rsa") != std::string::npos;
}

bool isRefusal(int rc) {
    return rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;
}

// Frees the agent handle on every path out.
class Agent {
public:
    explicit Agent(LIBSSH2_SESSION* session) : agent_(libssh2_agent_init(session)) {}
    ~Agent() {
        if (agent_ != nullptr) {
            if (connected_) {
                libssh2_agent_disconnect(agent_);
            }
            libssh2_agent_free(agent_);
        }
    }
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;
    LIBSSH2_AGENT* get() const { return agent_; }
    bool connect() {
        connected_ = agent_ != nullptr && libssh2_agent_connect(agent_) == 0;
        return connected_;
    }

private:
    LIBSSH2_AGENT* agent_;
    bool connected_ = false;
};

}  // namespace

bool SshSession::authenticate(const SshOptions& options, Clock::time_point deadline,
                              SshFailure& failure) {
    Refusals refusals;
    if (options.useAgent) {
        const int result = authenticateWithAgent(options, deadline, refusals, failure);
        if (result != 0) {
            return result > 0;
        }
    }
    if (!options.keyFile.empty()) {
        const int result = authenticateWithFile(options, deadline, refusals, failure);
        if (result != 0) {
            return result > 0;
        }
    }
    failure.permanent = true;
    if (refusals.keys.empty()) {
        failure.what = "authentication: " + refusals.note;
        return false;
    }
    std::string keys;
    for (const auto& k : refusals.keys) {
        keys += (keys.empty() ? "" : " and ") + k;
    }
    failure.what = "authentication: the server refused " + keys + " for user " + options.user +
                   (refusals.note.empty() ? "" : " (" + refusals.note + ")");
    if (refusals.rsa) {
        failure.what += ". If its public key is in ~" + options.user +
                        "/.ssh/authorized_keys there, its type is the cause: libssh2 1.10 signs "
                        "RSA keys with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse unless "
                        "PubkeyAcceptedAlgorithms allows it; use an ed25519 key";
    } else {
        failure.what += "; add the public key to ~" + options.user + "/.ssh/authorized_keys there";
    }
    return false;
}

int SshSession::authenticateWithAgent(const SshOptions& options, Clock::time_point deadline,
                                      Refusals& refusals, SshFailure& failure) {
    // The agent's socket is local and answers at once; libssh2 talks to it blocking.
    const char* socket = std::getenv("SSH_AUTH_SOCK");
    Agent agent(session_);
    if (socket == nullptr || *socket == '\0') {
        refusals.note = "useAgent is set but SSH_AUTH_SOCK is not";
        return 0;
    }
    if (!agent.connect()) {
        refusals.note = std::string("cannot reach the agent at SSH_AUTH_SOCK=") + socket;
        return 0;
    }
    if (libssh2_agent_list_identities(agent.get()) != 0) {
        refusals.note = std::string("cannot list the keys of the agent at ") + socket;
        return 0;
    }
    int tried = 0;
    libssh2_agent_publickey* previous = nullptr;
    for (;;) {
        libssh2_agent_publickey* identity = nullptr;
        if (libssh2_agent_get_identity(agent.get(), &identity, previous) != 0) {
            break;  // 1: no more keys; <0: the list cannot be walked, as good as empty
        }
        previous = identity;
        ++tried;
        const int rc = untilDone(deadline, [&] {
            return libssh2_agent_userauth(agent.get(), options.user.c_str(), identity);
        });
        if (rc == 0) {
            return 1;
        }
        if (rc == LIBSSH2_ERROR_TIMEOUT) {
            return -1;
        }
        if (!isRefusal(rc) || lost()) {
            failure.what = "authentication: " + describe(rc);
            return -1;
        }
    }
    if (tried == 0) {
        refusals.note = std::string("the agent at ") + socket + " holds no key";
    } else {
        refusals.keys.push_back("the " + std::to_string(tried) + " key(s) of the agent");
    }
    return 0;
}

int SshSession::authenticateWithFile(const SshOptions& options, Clock::time_point deadline,
                                     Refusals& refusals, SshFailure& failure) {
    if (::access(options.keyFile.c_str(), R_OK) != 0) {
        failure.what = "authentication: cannot read the key file " + options.keyFile + ": " +
                       std::strerror(errno);
        failure.permanent = true;
        return -1;
    }
    // No public key file: libssh2 derives the public key from the private one.
    const int rc = untilDone(deadline, [&] {
        return libssh2_userauth_publickey_fromfile_ex(session_, options.user.c_str(),
                                                      static_cast<unsigned>(options.user.size()),
                                                      nullptr, options.keyFile.c_str(), nullptr);
    });
    if (rc == 0) {
        return 1;
    }
    if (rc == LIBSSH2_ERROR_TIMEOUT) {
        return -1;
    }
    if (rc == LIBSSH2_ERROR_FILE) {
        failure.what = "authentication: cannot use the key file " + options.keyFile + ": " +
                       describe(rc) + " (an unencrypted OpenSSH or PEM private key is needed)";
        failure.permanent = true;
        return -1;
    }
    if (!isRefusal(rc) || lost()) {
        failure.what = "authentication: " + describe(rc);
        return -1;
    }
    refusals.keys.push_back("the key " + options.keyFile);
    refusals.rsa = isRsaKeyFile(options.keyFile);
    return 0;
}

}  // namespace chainvisor::net::detail
