// Internal to the SSH client: the server's host key against an OpenSSH known_hosts file, checked
// as OpenSSH checks it, with libssh2's knownhost functions doing the matching (hashed names too).
// The file is read afresh for every connection, so an operator's edit takes effect at once.
#pragma once

#include <libssh2.h>

#include <string>
#include <vector>

namespace chainvisor::net::detail {

struct HostKeyVerdict {
    std::string error;       // empty: the key is trusted
    bool permanent = false;  // unknown, changed or revoked key: an operator must act
};

class KnownHosts {
public:
    // Nothing is read yet; `session` lends libssh2 its allocator and error slot.
    KnownHosts(LIBSSH2_SESSION* session, std::string path);
    ~KnownHosts();
    KnownHosts(const KnownHosts&) = delete;
    KnownHosts& operator=(const KnownHosts&) = delete;

    // Reads the file; a missing one holds no key. Lines libssh2 cannot use (@cert-authority,
    // key types it does not know) are skipped rather than making the whole file unusable;
    // @revoked keys are remembered and refused. False with `error` when the file cannot be read.
    bool load(std::string& error);

    // The host key algorithms to offer in the handshake ("ssh-ed25519,ssh-rsa"): those of the
    // keys held for host:port, so that the server shows a key that can be compared (OpenSSH
    // orders its offer the same way). Empty when none is held: any type will do.
    std::string heldAlgorithms(const std::string& host, int port) const;

    // Checks the key the session's server presented. An unknown key is appended to the file
    // when `trustOnFirstUse` (logged at warn), refused otherwise.
    HostKeyVerdict verify(const std::string& host, int port, bool trustOnFirstUse);

private:
    enum class Match { Known, Unknown, Changed };
    Match check(const std::string& host, int port, const std::string& key, int keyType) const;
    // Appends the key under a lock on the file, unless another client just did.
    HostKeyVerdict trust(const std::string& host, int port, const std::string& key, int keyType,
                         const std::string& algorithm, const std::string& fingerprint);

    LIBSSH2_SESSION* session_;
    std::string path_;
    LIBSSH2_KNOWNHOSTS* hosts_ = nullptr;
    std::vector<std::string> revoked_;  // base64 key blobs
};

// "SHA256:<base64 without padding>" of the server's host key, as ssh-keygen -l prints it.
std::string hostKeyFingerprint(LIBSSH2_SESSION* session);

}  // namespace chainvisor::net::detail
