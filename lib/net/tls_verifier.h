// Internal to the HTTPS client: the TLS context a TlsTrust asks for, the per-connection setup
// (SNI, the host name check) and the checks and messages around a handshake.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <string>

#include "net/tls_trust.h"

namespace chainvisor::net::detail {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

class TlsVerifier {
public:
    // Throws std::invalid_argument when the trust cannot be used: both a CA file and a
    // fingerprint, a malformed fingerprint, a CA file that cannot be read or holds no certificate.
    explicit TlsVerifier(const TlsTrust& trust);

    boost::asio::ssl::context& context() { return context_; }

    // Before the handshake: SNI for a host name, the name check unless pinned, and a verify
    // callback that writes why a certificate was refused into `failure` (which must outlive the
    // handshake).
    void prepare(TlsStream& stream, const std::string& host, std::string& failure) const;

    // After the handshake: the fingerprint pin. Empty when the peer is accepted, else why not.
    std::string checkPeer(TlsStream& stream) const;

    // "the system CA store", "the CA file /etc/…", "the pinned fingerprint AB:…"
    const std::string& trustDescription() const { return trustDescription_; }

private:
    boost::asio::ssl::context context_;
    std::optional<Sha256> pin_;
    std::string trustDescription_;
};

}  // namespace chainvisor::net::detail
