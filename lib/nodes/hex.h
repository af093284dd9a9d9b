// Hexadecimal text of byte strings, as Ethereum tools write it: two lower-case digits a byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::nodes {

using Bytes = std::vector<std::uint8_t>;

// Lower-case, no prefix.
std::string toHex(std::span<const std::uint8_t> bytes);

// Digits of either case, an even number of them, no prefix; nullopt otherwise.
std::optional<Bytes> fromHex(std::string_view text);

// 0..15 for a hex digit, -1 for anything else.
int hexDigitValue(char c);

// `text` without a leading "0x" or "0X", if it has one.
std::string_view withoutHexPrefix(std::string_view text);

}  // namespace chainvisor::nodes
