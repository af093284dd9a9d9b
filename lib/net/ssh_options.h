// How SshClient reaches one machine and proves who it is, and how it checks who answers.
#pragma once

#include <chrono>
#include <string>

namespace chainvisor::net {

struct SshOptions {
    std::string host;  // IPv4 address or DNS name
    int port = 22;
    std::string user = "root";
    // A private key without passphrase: OpenSSH format (ed25519, ECDSA, RSA) or PEM RSA. May be
    // empty with useAgent. libssh2 1.10 signs RSA keys with SHA-1 ("ssh-rsa"), which OpenSSH 8.8
    // and later refuse unless the server allows it: prefer ed25519.
    std::string keyFile;
    bool useAgent = false;  // try the agent at $SSH_AUTH_SOCK first, then keyFile if set
    // OpenSSH known_hosts format, hashed entries too; "[host]:port" names a non-22 port. Read at
    // every connection, so an operator's edit takes effect without a restart.
    std::string knownHostsFile;
    // An unknown host's key is accepted and appended to knownHostsFile (created 0600). A key
    // that differs from the known one is refused all the same.
    bool trustOnFirstUse = false;
    // Caps the name lookup, TCP connect, SSH handshake and authentication together, within the
    // command's own deadline.
    std::chrono::milliseconds connectTimeout{10000};
    // Keep-alive messages on idle pooled connections and during long commands; 0 disables.
    std::chrono::seconds keepalive{30};
    // Connections kept per host; more concurrent run() calls wait for one.
    int maxSessions = 4;
};

}  // namespace chainvisor::net
