// The genesis block's extraData for Besu's BFT protocols, byte for byte as Besu's
// QbftExtraDataCodec / IbftExtraDataCodec encode it (and `besu rlp encode` prints it):
//
//   QBFT:  RLP([vanity (32 zero bytes), [validators], [] (no vote), round 0 as a scalar (0x80),
//               [] (no seals)])                                     … ends c080c0
//   IBFT2: RLP([vanity, [validators], 0x80 (no vote), round 0 as a 4-byte integer (0x8400000000),
//               [] (no seals)])                                     … ends 808400000000c0
//
// The validator list is the only part that matters at genesis. Besu keeps it in the order given,
// but every later block must list validators in ascending order and Besu's docs ask for that
// order at genesis too: genesis.h sorts with sortedValidators before encoding.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nodes/besu/address.h"
#include "nodes/hex.h"

namespace chainvisor::nodes::besu {

enum class Consensus { Qbft, Ibft2 };

// "qbft", "ibft2": the genesis config's key for the protocol's options.
std::string_view configKey(Consensus consensus);

inline constexpr std::size_t kVanityBytes = 32;

// Ascending unsigned byte order, duplicates dropped.
std::vector<Address> sortedValidators(std::vector<Address> validators);

// Validators in the order given.
Bytes encodeGenesisExtraData(Consensus consensus, std::span<const Address> validators);
// The same as "0x" + lower-case hex, as genesis.json holds it.
std::string genesisExtraDataHex(Consensus consensus, std::span<const Address> validators);

// What a block's extraData says, read back.
struct BftExtraData {
    struct Vote {
        Address recipient;
        bool add = false;  // false: drop
        friend bool operator==(const Vote&, const Vote&) = default;
    };
    Bytes vanity;
    std::vector<Address> validators;
    std::optional<Vote> vote;
    std::uint32_t round = 0;
    std::size_t seals = 0;  // committed seals (65-byte signatures); 0 at genesis
};

struct DecodedExtraData {
    std::optional<BftExtraData> data;
    std::string error;  // what does not match the protocol's layout
};

DecodedExtraData decodeExtraData(Consensus consensus, std::span<const std::uint8_t> encoded);

}  // namespace chainvisor::nodes::besu
