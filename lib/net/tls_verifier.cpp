#include "net/tls_verifier.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace chainvisor::net::detail {

namespace asio = boost::asio;
namespace ssl = asio::ssl;

namespace {

struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct GeneralNamesFree {
    void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

std::optional<Sha256> digestOf(X509* cert) {
    Sha256 digest{};
    unsigned int length = 0;
    if (cert == nullptr || X509_digest(cert, EVP_sha256(), digest.data(), &length) != 1 ||
        length != digest.size()) {
        return std::nullopt;
    }
    return digest;
}

std::string fingerprintOf(X509* cert) {
    const auto digest = digestOf(cert);
    return digest ? formatFingerprint(*digest) : std::string("(unavailable)");
}

std::string subjectOf(X509* cert) {
    if (cert == nullptr) {
        return "(none)";
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio ||
        X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
        return "(unreadable)";
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string("(empty)");
}

std::string asString(const ASN1_STRING* text) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
}

// "DNS:pve1.example.com, IP:10.0.0.1": the subjectAltName entries a host name is checked
// against, or the subject when there are none.
std::string namesOf(X509* cert) {
    std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    std::string out;
    const int count = names ? sk_GENERAL_NAME_num(names.get()) : 0;
    for (int i = 0; i < count; ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        std::string entry;
        if (name->type == GEN_DNS) {
            entry = "DNS:" + asString(name->d.dNSName);
        } else if (name->type == GEN_IPADD) {
            const std::string bytes = asString(name->d.iPAddress);
            if (bytes.size() == 4) {
                asio::ip::address_v4::bytes_type raw{};
                std::copy(bytes.begin(), bytes.end(), raw.begin());
                entry = "IP:" + asio::ip::address_v4(raw).to_string();
            } else if (bytes.size() == 16) {
                asio::ip::address_v6::bytes_type raw{};
                std::copy(bytes.begin(), bytes.end(), raw.begin());
                entry = "IP:" + asio::ip::address_v6(raw).to_string();
            }
        }
        if (!entry.empty()) {
            out += (out.empty() ? "" : ", ") + entry;
        }
    }
    return out.empty() ? subjectOf(cert) + " (no subjectAltName)" : out;
}

bool isIpAddress(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

TlsVerifier::TlsVerifier(const TlsTrust& trust) : context_(ssl::context::tls_client) {
    SSL_CTX* native = context_.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    context_.set_options(ssl::context::default_workarounds | ssl::context::no_compression);

    if (!trust.caFile.empty() && !trust.fingerprintSha256.empty()) {
        throw std::invalid_argument(
            "TLS trust: set either a CA file or a certificate fingerprint, not both");
    }
    if (!trust.fingerprintSha256.empty()) {
        pin_ = parseFingerprint(trust.fingerprintSha256);
        if (!pin_) {
            throw std::invalid_argument("TLS trust: '" + trust.fingerprintSha256 +
                                        "' is not a SHA-256 fingerprint; expected 32 "
                                        "colon-separated hex bytes (AB:CD:…), as GET /nodes "
                                        "shows in ssl_fingerprint");
        }
        trustDescription_ = "the pinned fingerprint " + formatFingerprint(*pin_);
        // The pin replaces chain and name checks; it is checked right after the handshake,
        // before a byte of the request is sent.
        context_.set_verify_mode(ssl::verify_none);
        return;
    }
    context_.set_verify_mode(ssl::verify_peer);
    if (!trust.caFile.empty()) {
        std::error_code fsError;
        if (!std::filesystem::is_regular_file(trust.caFile, fsError)) {
            throw std::invalid_argument("TLS trust: the CA file " + trust.caFile +
                                        " does not exist or is not a regular file");
        }
        if (!std::ifstream(trust.caFile)) {
            throw std::invalid_argument("TLS trust: the CA file " + trust.caFile +
                                        " cannot be read");
        }
        boost::system::error_code ec;
        context_.load_verify_file(trust.caFile, ec);
        ERR_clear_error();
        if (ec) {
            throw std::invalid_argument("TLS trust: the CA file " + trust.caFile +
                                        " holds no usable PEM certificate (" + ec.message() + ")");
        }
        trustDescription_ = "the CA file " + trust.caFile;
    } else {
        boost::system::error_code ec;
        context_.set_default_verify_paths(ec);
        ERR_clear_error();
        if (ec) {
            throw std::invalid_argument("TLS trust: the system CA store cannot be loaded (" +
                                        ec.message() + ")");
        }
        trustDescription_ = "the system CA store";
    }
}

void TlsVerifier::prepare(TlsStream& stream, const std::string& host, std::string& failure) const {
    SSL* ssl = stream.native_handle();
    const bool ip = isIpAddress(host);
    if (!ip) {
        // SNI carries names only (RFC 6066). (SSL_set_tlsext_host_name, without its C cast.)
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str()));
    }
    if (pin_) {
        return;
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (ip) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
        X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    const std::string trust = trustDescription_;
    stream.set_verify_callback([&failure, host, trust](bool preverified,
                                                       ssl::verify_context& context) {
        if (preverified || !failure.empty()) {
            return preverified;
        }
        X509_STORE_CTX* store = context.native_handle();
        const int error = X509_STORE_CTX_get_error(store);
        const int depth = X509_STORE_CTX_get_error_depth(store);
        X509* current = X509_STORE_CTX_get_current_cert(store);
        X509* leaf = X509_STORE_CTX_get0_cert(store);
        if (error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            failure = "the certificate is for " + namesOf(leaf) + ", not for " + host +
                      " (SHA-256 fingerprint " + fingerprintOf(leaf) + ")";
        } else {
            failure = "the certificate is not trusted by " + trust + ": " +
                      X509_verify_cert_error_string(error) + " (" +
                      (depth > 0 ? "chain depth " + std::to_string(depth) + ", " : "") +
                      "subject " + subjectOf(current) +
                      "); the server's certificate has "
                      "SHA-256 fingerprint " +
                      fingerprintOf(leaf) + ": if that is the right node, pin it or trust its CA";
        }
        return false;
    });
}

std::string TlsVerifier::checkPeer(TlsStream& stream) const {
    if (!pin_) {
        return {};
    }
    std::unique_ptr<X509, X509Free> cert(SSL_get1_peer_certificate(stream.native_handle()));
    if (!cert) {
        return "the server presented no certificate; expected the pinned fingerprint " +
               formatFingerprint(*pin_);
    }
    const auto digest = digestOf(cert.get());
    if (!digest) {
        return "the server's certificate could not be hashed; expected the pinned fingerprint " +
               formatFingerprint(*pin_);
    }
    if (*digest != *pin_) {
        return "certificate fingerprint " + formatFingerprint(*digest) +
               " does not match the pinned " + formatFingerprint(*pin_) + " (subject " +
               subjectOf(cert.get()) + ")";
    }
    return {};
}

}  // namespace chainvisor::net::detail
