// Where an HTTPS API lives: host and port for the connection, the base path for the targets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chainvisor::net {

// The Proxmox VE API's port, used when a URL names none (as the cluster file does).
inline constexpr std::uint16_t kProxmoxApiPort = 8006;

struct HttpsEndpoint {
    std::string host;  // a DNS name, an IPv4 address or an IPv6 address (without brackets)
    std::uint16_t port = kProxmoxApiPort;
};

struct HttpsUrl {
    HttpsEndpoint endpoint;
    std::string basePath;  // "/api2/json"; no trailing slash; empty for "/" or no path
    std::string error;     // why the URL was refused; empty when it is good

    bool ok() const { return error.empty(); }
};

// https://HOST[:PORT][/PATH], HOST a name, an IPv4 address or a bracketed IPv6 address.
// Refused, with a message saying what is wrong and what is accepted: another scheme,
// credentials (never echoed back), a query or fragment, no host, a port outside 1..65535.
HttpsUrl parseHttpsUrl(std::string_view text, std::uint16_t defaultPort = kProxmoxApiPort);

// "host:port", "[v6]:port": for error messages and the Host header.
std::string describeEndpoint(const HttpsEndpoint& endpoint);

}  // namespace chainvisor::net
