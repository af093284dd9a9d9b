#include "nodes/besu/address.h"

#include <algorithm>
#include <cctype>

#include "nodes/besu/keccak.h"
#include "nodes/hex.h"

namespace chainvisor::nodes::besu {

std::string Address::lowerHex() const {
    return "0x" + toHex(bytes);
}

std::string Address::checksummed() const {
    std::string digits = toHex(bytes);
    const Hash256 hash = keccak256(std::string_view(digits));
    for (std::size_t i = 0; i < digits.size(); ++i) {
        // Digit i is upper-cased when nibble i of the hash is 8 or more.
        const int nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
        if (nibble >= 8) {
            digits[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(digits[i])));
        }
    }
    return "0x" + digits;
}

ParsedAddress parseAddress(std::string_view text) {
    const std::string_view digits = withoutHexPrefix(text);
    if (digits.size() != 40) {
        return {std::nullopt, "an address is 40 hex digits (20 bytes), optionally after 0x; got " +
                                  std::to_string(digits.size()) + " characters"};
    }
    const auto bytes = fromHex(digits);
    if (!bytes) {
        return {std::nullopt, "an address is 40 hex digits (0-9, a-f); '" + std::string(text) +
                                  "' has other characters"};
    }
    Address address;
    std::copy(bytes->begin(), bytes->end(), address.bytes.begin());
    bool lower = false;
    bool upper = false;
    for (const char c : digits) {
        lower = lower || (c >= 'a' && c <= 'f');
        upper = upper || (c >= 'A' && c <= 'F');
    }
    if (lower && upper && address.checksummed().substr(2) != digits) {
        return {std::nullopt, "'" + std::string(text) +
                                  "' has mixed case but a wrong EIP-55 checksum (mistyped?); "
                                  "expected " +
                                  address.checksummed()};
    }
    return {address, {}};
}

}  // namespace chainvisor::nodes::besu
