// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B): a value is a byte string
// or a list of values; integers are byte strings, big-endian without leading zeros (0 is the
// empty string). Decoding accepts only the canonical (shortest) form, so that one value has one
// encoding and a decoded value re-encodes to the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nodes/hex.h"

namespace chainvisor::nodes::besu {

class RlpItem {
public:
    RlpItem() = default;  // the empty byte string

    static RlpItem bytes(Bytes value);
    static RlpItem bytes(std::span<const std::uint8_t> value);
    static RlpItem text(std::string_view value);
    // Big-endian, no leading zeros: 0 → "", 15 → 0x0f, 1024 → 0x0400.
    static RlpItem scalar(std::uint64_t value);
    static RlpItem list(std::vector<RlpItem> items = {});

    bool isList() const { return isList_; }
    // A byte string's bytes (empty for a list).
    const Bytes& value() const { return bytes_; }
    // A list's items (empty for a byte string).
    const std::vector<RlpItem>& items() const { return items_; }

    // The byte string as an integer: nullopt for a list, a value with a leading zero byte, or one
    // wider than 8 bytes.
    std::optional<std::uint64_t> toScalar() const;

    friend bool operator==(const RlpItem&, const RlpItem&) = default;

private:
    bool isList_ = false;
    Bytes bytes_;
    std::vector<RlpItem> items_;
};

Bytes rlpEncode(const RlpItem& item);

struct RlpDecoded {
    std::optional<RlpItem> item;
    std::string error;  // what is wrong and at which byte offset
};

// Exactly one value spanning all of `encoded`; lists nest at most kMaxRlpDepth deep.
inline constexpr int kMaxRlpDepth = 64;
RlpDecoded rlpDecode(std::span<const std::uint8_t> encoded);

}  // namespace chainvisor::nodes::besu
