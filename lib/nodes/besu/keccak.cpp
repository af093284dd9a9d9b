// Written from FIPS 202 (sections 3.2 and 5.1): the step mappings θ, ρ, π, χ, ι of Keccak-p[1600,
// 24] and the sponge over them. The ρ offsets and ι round constants are derived at compile time by
// the standard's own algorithms (2 and 5), not copied from a table.
#include "nodes/besu/keccak.h"

#include <bit>

namespace chainvisor::nodes::besu {
namespace {

constexpr int kRounds = 24;

constexpr std::size_t lane(int x, int y) {
    return static_cast<std::size_t>(x + 5 * y);
}

// Algorithm 5, rc(t): one bit of the output of a degree-8 LFSR.
constexpr bool roundConstantBit(int t) {
    if (t % 255 == 0) {
        return true;
    }
    unsigned r = 1;  // bit i is R[i]; R = 10000000
    for (int i = 1; i <= t % 255; ++i) {
        r <<= 1;  // R = 0 || R: R[8] is the bit shifted out of the top
        if (r & 0x100) {
            r ^= 0x171;  // R[0], R[4], R[5], R[6] ^= R[8], and R[8] cleared
        }
    }
    return r & 1;
}

// Algorithm 6 (ι): RC[2^j − 1] = rc(j + 7·ir) for j = 0..6.
constexpr std::array<std::uint64_t, kRounds> makeRoundConstants() {
    std::array<std::uint64_t, kRounds> constants{};
    for (int round = 0; round < kRounds; ++round) {
        for (int j = 0; j <= 6; ++j) {
            if (roundConstantBit(j + 7 * round)) {
                constants[static_cast<std::size_t>(round)] |= std::uint64_t{1} << ((1u << j) - 1);
            }
        }
    }
    return constants;
}

// Algorithm 2 (ρ): the rotation of each lane, walking (x, y) from (1, 0).
constexpr std::array<int, 25> makeRotations() {
    std::array<int, 25> offsets{};
    int x = 1;
    int y = 0;
    for (int t = 0; t < 24; ++t) {
        offsets[lane(x, y)] = ((t + 1) * (t + 2) / 2) % 64;
        const int nextY = (2 * x + 3 * y) % 5;
        x = y;
        y = nextY;
    }
    return offsets;
}

constexpr auto kRoundConstants = makeRoundConstants();
constexpr auto kRotations = makeRotations();

static_assert(kRoundConstants[0] == 1, "ι of round 0 sets only bit 0");
static_assert(kRotations[lane(0, 0)] == 0 && kRotations[lane(1, 0)] == 1);

void permute(std::array<std::uint64_t, 25>& a) {
    for (int round = 0; round < kRounds; ++round) {
        // θ: each bit is XORed with the parities of two neighbouring columns.
        std::uint64_t c[5];
        for (int x = 0; x < 5; ++x) {
            c[x] = a[lane(x, 0)] ^ a[lane(x, 1)] ^ a[lane(x, 2)] ^ a[lane(x, 3)] ^ a[lane(x, 4)];
        }
        for (int x = 0; x < 5; ++x) {
            const std::uint64_t d = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 5; ++y) {
                a[lane(x, y)] ^= d;
            }
        }
        // ρ and π together: lane (x, y) is rotated and moved to (y, 2x + 3y).
        std::array<std::uint64_t, 25> b{};
        for (int x = 0; x < 5; ++x) {
            for (int y = 0; y < 5; ++y) {
                b[lane(y, (2 * x + 3 * y) % 5)] = std::rotl(a[lane(x, y)], kRotations[lane(x, y)]);
            }
        }
        // χ: the only non-linear step, along each row.
        for (int y = 0; y < 5; ++y) {
            for (int x = 0; x < 5; ++x) {
                a[lane(x, y)] =
                    b[lane(x, y)] ^ (~b[lane((x + 1) % 5, y)] & b[lane((x + 2) % 5, y)]);
            }
        }
        // ι
        a[0] ^= kRoundConstants[static_cast<std::size_t>(round)];
    }
}

}  // namespace

void Keccak256::absorbByte(std::uint8_t byte) {
    // Lanes hold their bytes little-endian (FIPS 202, 3.1.2).
    lanes_[position_ / 8] ^= std::uint64_t{byte} << (8 * (position_ % 8));
    if (++position_ == kRateBytes) {
        permute(lanes_);
        position_ = 0;
    }
}

void Keccak256::update(std::span<const std::uint8_t> data) {
    for (const auto byte : data) {
        absorbByte(byte);
    }
}

void Keccak256::update(std::string_view text) {
    for (const char c : text) {
        absorbByte(static_cast<std::uint8_t>(c));
    }
}

Hash256 Keccak256::finish() {
    // Keccak's pad10*1 with the domain bit 0x01: the first and the last bit of the padding may
    // fall in the same byte (0x81) when one byte of the block is left.
    lanes_[position_ / 8] ^= std::uint64_t{0x01} << (8 * (position_ % 8));
    lanes_[(kRateBytes - 1) / 8] ^= std::uint64_t{0x80} << (8 * ((kRateBytes - 1) % 8));
    permute(lanes_);
    Hash256 out;
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<std::uint8_t>(lanes_[i / 8] >> (8 * (i % 8)));
    }
    lanes_.fill(0);
    position_ = 0;
    return out;
}

Hash256 keccak256(std::span<const std::uint8_t> data) {
    Keccak256 hasher;
    hasher.update(data);
    return hasher.finish();
}

Hash256 keccak256(std::string_view text) {
    Keccak256 hasher;
    hasher.update(text);
    return hasher.finish();
}

}  // namespace chainvisor::nodes::besu
