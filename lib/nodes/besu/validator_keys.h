// Which key each node of a Besu network has, and so which addresses its genesis names as
// validators. A node's key is its cluster-file `keyFile`; without one, chainvisord makes a key on
// its first start and keeps it at <state-dir>/keys/<node>.key. Reading the keys is I/O; turning
// a network into genesis values is not.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nodes/besu/address.h"
#include "nodes/besu/genesis.h"
#include "spec/cluster.h"

namespace chainvisor::nodes::besu {

inline constexpr std::string_view kKeysDirectory = "keys";

// node.keyFile, else <stateDir>/keys/<node name>.key.
std::filesystem::path nodeKeyPath(const spec::Node& node, const std::filesystem::path& stateDir);

struct ValidatorAddresses {
    std::vector<Address> addresses;   // in the order of the cluster file's validators
    std::vector<std::string> errors;  // one a validator whose key cannot be read, or shared
};

// Reads the key of every validator of `network` (role validator, state not absent).
ValidatorAddresses readValidatorAddresses(const spec::Cluster& cluster,
                                          const spec::Network& network,
                                          const std::filesystem::path& stateDir);

// The genesis values a Besu network's spec gives, with these validators. Defaults for what the
// cluster file does not say (gas limit, alloc) come from GenesisParams.
GenesisParams genesisParamsFor(const spec::Network& network, std::vector<Address> validators);

}  // namespace chainvisor::nodes::besu
