// An Ethereum account address: 20 bytes, written with the EIP-55 checksum (the case of each hex
// letter is a bit of keccak256 of the lower-case hex), which Besu and wallets print.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::nodes::besu {

struct Address {
    std::array<std::uint8_t, 20> bytes{};

    // "0x" + 40 digits in EIP-55 mixed case, e.g. 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf.
    std::string checksummed() const;
    // "0x" + 40 lower-case digits.
    std::string lowerHex() const;

    // Unsigned byte order: the order Besu keeps validators in (its TreeSet of addresses) and
    // requires of every block's validator list after genesis.
    friend auto operator<=>(const Address&, const Address&) = default;
};

struct ParsedAddress {
    std::optional<Address> address;
    std::string error;  // what is wrong with the text
};

// "0x" (optional) + 40 hex digits. All-lower or all-upper digits are taken as they are; mixed
// case must be a correct EIP-55 checksum, since a wrong one means a mistyped address.
ParsedAddress parseAddress(std::string_view text);

}  // namespace chainvisor::nodes::besu
