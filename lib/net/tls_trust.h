// How an HTTPS client decides that it speaks to the right server.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::net {

// Neither set: the system CA store, and the certificate must name the host.
// caFile: only that CA (PEM, one or more certificates), and the certificate must name the host.
// fingerprintSha256: exactly the leaf certificate whose SHA-256 over DER is this value, with no
// CA or name check: how Proxmox VE's own client trusts a node's self-signed certificate.
// Setting both is refused.
struct TlsTrust {
    std::string caFile;
    std::string fingerprintSha256;  // "AB:CD:…": 32 colon-separated hex bytes, any case
};

using Sha256 = std::array<unsigned char, 32>;

// "AB:CD:…" (or the 64 hex digits without colons), any case; nullopt when malformed.
std::optional<Sha256> parseFingerprint(std::string_view text);
// 32 colon-separated upper-case hex bytes: the form Proxmox shows in ssl_fingerprint.
std::string formatFingerprint(const Sha256& digest);

}  // namespace chainvisor::net
