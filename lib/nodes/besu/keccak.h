// Keccak-256 as Ethereum uses it: the Keccak[c=512] sponge of FIPS 202 with the original Keccak
// padding (domain byte 0x01), not SHA3-256's (0x06). Addresses, EIP-55 checksums and RLP hashes
// all depend on this difference.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace chainvisor::nodes::besu {

using Hash256 = std::array<std::uint8_t, 32>;

// Incremental hashing, for input that arrives in pieces; the result does not depend on how the
// input is split.
class Keccak256 {
public:
    static constexpr std::size_t kRateBytes = 136;  // (1600 − 2·256) / 8

    void update(std::span<const std::uint8_t> data);
    void update(std::string_view text);
    // The digest; the object is reset afterwards and can hash a new input.
    Hash256 finish();

private:
    void absorbByte(std::uint8_t byte);

    std::array<std::uint64_t, 25> lanes_{};
    std::size_t position_ = 0;  // bytes of the current block absorbed so far
};

Hash256 keccak256(std::span<const std::uint8_t> data);
Hash256 keccak256(std::string_view text);

}  // namespace chainvisor::nodes::besu
