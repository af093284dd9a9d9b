#include "net/tls_trust.h"

namespace chainvisor::net {

namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::optional<Sha256> parseFingerprint(std::string_view text) {
    Sha256 digest{};
    const bool colons = text.size() == digest.size() * 3 - 1;
    if (!colons && text.size() != digest.size() * 2) {
        return std::nullopt;
    }
    const std::size_t stride = colons ? 3 : 2;
    for (std::size_t i = 0; i < digest.size(); ++i) {
        const std::size_t at = i * stride;
        if (colons && i + 1 < digest.size() && text[at + 2] != ':') {
            return std::nullopt;
        }
        const int high = hexValue(text[at]);
        const int low = hexValue(text[at + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        digest[i] = static_cast<unsigned char>(high * 16 + low);
    }
    return digest;
}

std::string formatFingerprint(const Sha256& digest) {
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string text;
    text.reserve(digest.size() * 3);
    for (unsigned char byte : digest) {
        if (!text.empty()) {
            text += ':';
        }
        text += kHex[byte >> 4];
        text += kHex[byte & 0x0F];
    }
    return text;
}

}  // namespace chainvisor::net
