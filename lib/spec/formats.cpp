#include "spec/formats.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "spec/values.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {
namespace {

bool isLower(char c) {
    return c >= 'a' && c <= 'z';
}
bool isUpper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isAlnum(char c) {
    return isLower(c) || isUpper(c) || isDigit(c);
}
bool isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

template <typename Pred>
bool allOf(std::string_view text, Pred pred) {
    return std::all_of(text.begin(), text.end(), pred);
}

// USER and TOKENID parts of a token id.
bool isTokenPart(std::string_view text) {
    return !text.empty() && text.size() <= 64 &&
           allOf(text, [](char c) { return isAlnum(c) || c == '.' || c == '-' || c == '_'; });
}

struct Authority {
    std::string host;
    int port = 0;  // 0: not given
    std::string error;
};

// HOST[:PORT] of a URL. IPv6 literals and credentials are refused.
Authority parseAuthority(std::string_view text) {
    Authority a;
    if (text.find('@') != std::string_view::npos) {
        a.error = "credentials in a URL are not accepted; put secrets in files";
        return a;
    }
    if (!text.empty() && text[0] == '[') {
        a.error = "IPv6 is not supported yet; use a host name or an IPv4 address";
        return a;
    }
    std::string_view host = text;
    if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        const auto port = text.substr(colon + 1);
        int value = 0;
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 1 ||
            value > 65535 || (port.size() > 1 && port[0] == '0')) {
            a.error = "the port is not a number from 1 to 65535";
            return a;
        }
        a.port = value;
    }
    if (host.empty()) {
        a.error = "the URL has no host";
        return a;
    }
    if (!isDnsName(host) && !Ipv4Address::parse(host)) {
        a.error = "the host " + yaml::quote(host) + " is not a DNS name or an IPv4 address";
        return a;
    }
    a.host = std::string(host);
    return a;
}

}  // namespace

bool isName(std::string_view text, std::size_t maxLength) {
    return !text.empty() && text.size() <= maxLength && isLower(text[0]) &&
           allOf(text, [](char c) { return isLower(c) || isDigit(c) || c == '-'; });
}

bool isPveNodeName(std::string_view text) {
    return !text.empty() && text.size() <= 63 && isAlnum(text[0]) &&
           allOf(text, [](char c) { return isAlnum(c) || c == '-'; });
}

bool isHostnameLabel(std::string_view text) {
    return !text.empty() && text.size() <= 63 && text.front() != '-' && text.back() != '-' &&
           allOf(text, [](char c) { return isAlnum(c) || c == '-'; });
}

bool isDnsName(std::string_view text) {
    if (text.empty() || text.size() > 253) {
        return false;
    }
    std::string_view last;
    std::size_t start = 0;
    while (true) {
        const auto dot = text.find('.', start);
        const auto label = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!isHostnameLabel(label)) {
            return false;
        }
        last = label;
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    // "10.0.0.300" is a mistyped address, not a name: top-level domains are never all digits.
    return !allOf(last, isDigit);
}

bool isInterfaceName(std::string_view text) {
    return !text.empty() && text.size() <= 15 &&
           allOf(text, [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool isEnvName(std::string_view text) {
    return !text.empty() && (isUpper(text[0]) || text[0] == '_') &&
           allOf(text, [](char c) { return isUpper(c) || isDigit(c) || c == '_'; });
}

bool isAbsolutePath(std::string_view text) {
    if (text.empty() || text[0] != '/' || text.size() > 4096 ||
        text.find('\0') != std::string_view::npos) {
        return false;
    }
    std::size_t start = 1;
    while (start <= text.size()) {
        auto slash = text.find('/', start);
        if (slash == std::string_view::npos) {
            slash = text.size();
        }
        const auto part = text.substr(start, slash - start);
        if (part == "." || part == "..") {
            return false;
        }
        start = slash + 1;
    }
    return true;
}

bool isConfigKey(std::string_view text) {
    return !text.empty() && (isLower(text[0]) || isDigit(text[0])) &&
           allOf(text, [](char c) { return isLower(c) || isDigit(c) || c == '-'; });
}

bool isLabelKey(std::string_view text) {
    return !text.empty() && text.size() <= 63 && (isLower(text[0]) || isDigit(text[0])) &&
           allOf(text, [](char c) {
               return isLower(c) || isDigit(c) || c == '.' || c == '_' || c == '/' || c == '-';
           });
}

bool isStorageId(std::string_view text) {
    return !text.empty() && text.size() <= 64 && (isLower(text[0]) || isUpper(text[0])) &&
           allOf(text, [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool isUserName(std::string_view text) {
    return !text.empty() && text.size() <= 32 && (isLower(text[0]) || text[0] == '_') &&
           allOf(text, [](char c) { return isLower(c) || isDigit(c) || c == '_' || c == '-'; });
}

bool isTokenId(std::string_view text) {
    const auto at = text.find('@');
    const auto bang = text.find('!');
    if (at == std::string_view::npos || bang == std::string_view::npos || bang < at ||
        text.find('@', at + 1) != std::string_view::npos ||
        text.find('!', bang + 1) != std::string_view::npos) {
        return false;
    }
    const auto user = text.substr(0, at);
    const auto realm = text.substr(at + 1, bang - at - 1);
    const auto token = text.substr(bang + 1);
    const auto startsWithLetter = [](std::string_view part) {
        return isLower(part[0]) || isUpper(part[0]);
    };
    return isTokenPart(user) && isTokenPart(realm) && realm.size() >= 2 &&
           startsWithLetter(realm) && isTokenPart(token) && startsWithLetter(token);
}

Checked checkApiUrl(std::string_view text) {
    constexpr std::string_view kAccepted =
        "accepted: https://HOST[:PORT]/api2/json, e.g. https://pve1.example.com:8006/api2/json";
    Checked out;
    constexpr std::string_view kScheme = "https://";
    if (text.rfind(kScheme, 0) != 0) {
        out.error = text.rfind("http://", 0) == 0
                        ? "only https is accepted (the Proxmox VE API listens on https, port 8006)"
                        : "not an https URL; " + std::string(kAccepted);
        return out;
    }
    auto rest = text.substr(kScheme.size());
    if (rest.find_first_of("?#") != std::string_view::npos) {
        out.error = "a query or fragment is not accepted; " + std::string(kAccepted);
        return out;
    }
    const auto slash = rest.find('/');
    const auto authority = parseAuthority(rest.substr(0, slash));
    if (!authority.error.empty()) {
        out.error = authority.error + "; " + std::string(kAccepted);
        return out;
    }
    const auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (path != "" && path != "/" && path != "/api2/json" && path != "/api2/json/") {
        out.error = "the path must be /api2/json, got " + yaml::quote(path);
        return out;
    }
    out.value = "https://" + authority.host + ":" +
                std::to_string(authority.port == 0 ? 8006 : authority.port) + "/api2/json";
    return out;
}

Checked checkDownloadUrl(std::string_view text) {
    Checked out;
    std::string_view rest;
    if (text.rfind("https://", 0) == 0) {
        rest = text.substr(8);
    } else if (text.rfind("http://", 0) == 0) {
        rest = text.substr(7);
    } else {
        out.error =
            "not an http or https URL; accepted: e.g. https://example.com/besu-26.1.0.tar.gz";
        return out;
    }
    const auto end = rest.find_first_of("/?#");
    const auto authority = parseAuthority(rest.substr(0, end));
    if (!authority.error.empty()) {
        out.error = authority.error;
        return out;
    }
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) {
        out.error = "a URL cannot contain spaces or control characters; percent-encode them";
        return out;
    }
    out.value = std::string(text);
    return out;
}

Checked checkFingerprint(std::string_view text) {
    Checked out;
    const bool ok = text.size() == 32 * 3 - 1 && [&] {
        for (std::size_t i = 0; i < text.size(); ++i) {
            const bool separator = i % 3 == 2;
            if (separator ? text[i] != ':' : !isHex(text[i])) {
                return false;
            }
        }
        return true;
    }();
    if (!ok) {
        out.error =
            "not a SHA-256 fingerprint; accepted: 32 colon-separated hex bytes (AB:CD:…), as "
            "GET /nodes shows in ssl_fingerprint";
        return out;
    }
    out.value.reserve(text.size());
    for (char c : text) {
        out.value += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

Checked checkSha256(std::string_view text) {
    Checked out;
    if (text.size() != 64 || !allOf(text, isHex)) {
        out.error = "not a SHA-256 checksum; accepted: 64 hex digits";
        return out;
    }
    for (char c : text) {
        out.value += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace chainvisor::spec::detail
