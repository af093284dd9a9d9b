#include "nodes/besu/enode.h"

#include <algorithm>
#include <charconv>

#include "nodes/hex.h"

namespace chainvisor::nodes::besu {
namespace {

constexpr std::string_view kScheme = "enode://";
constexpr std::string_view kForm = "accepted: enode://<128 hex digits>@<IPv4>:<port>[?discport=N]";

std::optional<int> port(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 1 ||
        value > 65535 || text.front() == '0') {
        return std::nullopt;
    }
    return value;
}

bool isIpv4(std::string_view text) {
    int parts = 0;
    while (true) {
        const auto dot = text.find('.');
        const auto part = text.substr(0, dot);
        int value = 0;
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || part.size() > 3 || error != std::errc{} ||
            end != part.data() + part.size() || value > 255 ||
            (part.size() > 1 && part.front() == '0')) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) {
            return parts == 4;
        }
        text.remove_prefix(dot + 1);
    }
}

ParsedEnode fail(std::string what) {
    return {std::nullopt, std::move(what) + "; " + std::string(kForm)};
}

}  // namespace

std::string Enode::str() const {
    std::string out = std::string(kScheme) + id.hex() + "@" + ip + ":" + std::to_string(port);
    if (discoveryPort && *discoveryPort != port) {
        out += "?discport=" + std::to_string(*discoveryPort);
    }
    return out;
}

ParsedEnode parseEnode(std::string_view text) {
    if (!text.starts_with(kScheme)) {
        return fail("an enode URL starts with enode://");
    }
    text.remove_prefix(kScheme.size());
    const auto at = text.find('@');
    if (at == std::string_view::npos) {
        return fail("no '@' between the node id and the address");
    }
    const auto id = fromHex(text.substr(0, at));
    if (at != 2 * kPublicKeyBytes || !id) {
        return fail("the node id is 128 hex digits (the 64-byte public key)");
    }
    Enode enode;
    std::copy(id->begin(), id->end(), enode.id.bytes.begin());
    std::string_view rest = text.substr(at + 1);
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
        return fail("no ':PORT' after the address");
    }
    if (!isIpv4(rest.substr(0, colon))) {
        return fail("'" + std::string(rest.substr(0, colon)) + "' is not an IPv4 address");
    }
    enode.ip = std::string(rest.substr(0, colon));
    const auto listening = port(rest.substr(colon + 1));
    if (!listening) {
        return fail("'" + std::string(rest.substr(colon + 1)) + "' is not a port (1 to 65535)");
    }
    enode.port = *listening;
    if (!query.empty() || text.back() == '?') {
        constexpr std::string_view kDiscport = "discport=";
        const auto discovery =
            query.starts_with(kDiscport) ? port(query.substr(kDiscport.size())) : std::nullopt;
        if (!discovery) {
            return fail("after '?' only discport=N (a port, 1 to 65535) is accepted");
        }
        if (*discovery != enode.port) {
            enode.discoveryPort = discovery;
        }
    }
    return {std::move(enode), {}};
}

}  // namespace chainvisor::nodes::besu
