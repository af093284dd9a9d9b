#include "net/https_url.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>

namespace chainvisor::net {

namespace {

constexpr std::string_view kAccepted =
    "accepted: https://HOST[:PORT][/PATH], e.g. https://pve1.example.com:8006/api2/json";

bool isControlOrSpace(char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
}

bool isHostChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

HttpsUrl refuse(std::string what) {
    HttpsUrl url;
    url.error = std::move(what) + "; " + std::string(kAccepted);
    return url;
}

}  // namespace

HttpsUrl parseHttpsUrl(std::string_view text, std::uint16_t defaultPort) {
    if (text.empty()) {
        return refuse("the URL is empty");
    }
    const auto schemeEnd = text.find("://");
    if (schemeEnd == std::string_view::npos) {
        return refuse("not a URL (no scheme)");
    }
    std::string scheme(text.substr(0, schemeEnd));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    if (scheme != "https") {
        return refuse("the scheme is '" + scheme + "', but only https is spoken");
    }
    const auto rest = text.substr(schemeEnd + 3);
    const auto authorityEnd = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, authorityEnd);
    // Checked before anything that quotes the URL: a password must not reach a message.
    if (authority.find('@') != std::string_view::npos) {
        return refuse("credentials in the URL are not accepted (the URL is not shown here)");
    }
    if (std::any_of(text.begin(), text.end(), isControlOrSpace)) {
        return refuse("the URL contains spaces or control characters");
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return refuse("a query or fragment is not accepted");
    }

    HttpsUrl url;
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return refuse("'" + std::string(authority) + "' has no closing ']'");
        }
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return refuse("unexpected '" + std::string(after) + "' after the IPv6 address");
            }
            port = after.substr(1);
            if (port.empty()) {
                return refuse("the port after ':' is empty");
            }
        }
        boost::system::error_code ec;
        boost::asio::ip::make_address_v6(std::string(host), ec);
        if (ec) {
            return refuse("'" + std::string(host) + "' is not an IPv6 address");
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        if (port.empty()) {
            return refuse("the port after ':' is empty");
        }
    }
    if (host.empty()) {
        return refuse("the URL has no host");
    }
    if (authority.front() != '[' && !std::all_of(host.begin(), host.end(), isHostChar)) {
        return refuse("'" + std::string(host) + "' is not a host name or an IPv4 address");
    }
    url.endpoint.host = std::string(host);
    url.endpoint.port = defaultPort;
    if (!port.empty()) {
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || ptr != port.data() + port.size() || value < 1 || value > 65535) {
            return refuse("the port '" + std::string(port) + "' is not a number from 1 to 65535");
        }
        url.endpoint.port = static_cast<std::uint16_t>(value);
    }
    if (authorityEnd != std::string_view::npos) {
        std::string_view path = rest.substr(authorityEnd);
        while (!path.empty() && path.back() == '/') {
            path.remove_suffix(1);
        }
        url.basePath = std::string(path);
    }
    return url;
}

std::string describeEndpoint(const HttpsEndpoint& endpoint) {
    const bool v6 = endpoint.host.find(':') != std::string::npos;
    return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

}  // namespace chainvisor::net
