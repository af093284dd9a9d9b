// A Besu QBFT or IBFT 2.0 network's genesis file from plain values, laid out as Besu's docs show
// it (private-networks/how-to/configure/consensus/qbft.md, ibft.md and tutorials/qbft.md):
//
//   config: chainId, berlinBlock 0, londonBlock 0, zeroBaseFee, qbft|ibft2: {blockperiodseconds,
//           epochlength, requesttimeoutseconds}
//   nonce 0x0, timestamp, extraData (extra_data.h), gasLimit, difficulty 0x1,
//   mixHash 0x6374…6365 (the BFT protocols' fixed "Istanbul digest"), coinbase 0x0…0, alloc
//
// The output is deterministic (fixed key order, sorted validators, sorted alloc) so that the
// same network always gets the same bytes and a fingerprint of them means something.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "nodes/besu/address.h"
#include "nodes/besu/extra_data.h"

namespace chainvisor::nodes::besu {

// The fixed mixHash every IBFT 2.0 and QBFT block carries.
inline constexpr std::string_view kBftMixHash =
    "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365";

struct GenesisAccount {
    Address address;
    std::string balance;  // wei: decimal digits or 0x-hex, written as given
};

struct GenesisParams {
    std::uint64_t chainId = 0;
    Consensus consensus = Consensus::Qbft;
    int blockPeriodSeconds = 2;
    int epochLength = 30000;
    int requestTimeoutSeconds = 4;
    std::vector<Address> validators;  // any order; sorted and deduplicated in the output
    std::vector<GenesisAccount> alloc;
    std::string gasLimit = "0x1fffffffffffff";  // the block gas limit of Besu's BFT examples
    std::uint64_t timestamp = 0;
    // London's base fee set to zero, so that transactions priced at 0 (config.toml's
    // min-gas-price 0) are ever included: Besu's free gas network setup.
    bool zeroBaseFee = true;
};

boost::json::value genesisJson(const GenesisParams& params);
// prettyJson of genesisJson: the file's bytes.
std::string renderGenesis(const GenesisParams& params);

}  // namespace chainvisor::nodes::besu
