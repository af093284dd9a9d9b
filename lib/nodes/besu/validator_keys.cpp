#include "nodes/besu/validator_keys.h"

#include <sys/stat.h>

#include <cerrno>
#include <map>

#include "nodes/besu/key_file.h"

namespace chainvisor::nodes::besu {

std::filesystem::path nodeKeyPath(const spec::Node& node, const std::filesystem::path& stateDir) {
    if (!node.keyFile.empty()) {
        return node.keyFile;
    }
    return stateDir / kKeysDirectory / (node.name + ".key");
}

ValidatorAddresses readValidatorAddresses(const spec::Cluster& cluster,
                                          const spec::Network& network,
                                          const std::filesystem::path& stateDir) {
    ValidatorAddresses result;
    std::map<Address, std::string> owners;
    for (const auto* node : cluster.validatorsOf(network.name)) {
        const auto path = nodeKeyPath(*node, stateDir);
        struct stat info {};
        if (node->keyFile.empty() && ::stat(path.c_str(), &info) != 0 && errno == ENOENT) {
            result.errors.push_back(
                "validator '" + node->name + "' has no keyFile in the cluster file and no key at " +
                path.string() +
                " yet: chainvisord makes a validator's key on its first start and "
                "keeps it there (start chainvisord once, or give the node a keyFile; --state-dir "
                "names another state directory)");
            continue;
        }
        auto loaded = loadKeyFile(path);
        if (!loaded.key) {
            result.errors.push_back("validator '" + node->name + "': " + loaded.error);
            continue;
        }
        const auto address = loaded.key->address();
        if (const auto [it, added] = owners.emplace(address, node->name); !added) {
            result.errors.push_back("validators '" + it->second + "' and '" + node->name +
                                    "' have the same key (address " + address.checksummed() +
                                    "); each validator needs a key of its own");
            continue;
        }
        result.addresses.push_back(address);
    }
    if (result.addresses.empty() && result.errors.empty()) {
        result.errors.push_back("network '" + network.name +
                                "' has no validators: a BFT chain needs at least one");
    }
    return result;
}

GenesisParams genesisParamsFor(const spec::Network& network, std::vector<Address> validators) {
    GenesisParams params;
    params.chainId = network.chainId;
    params.consensus =
        network.consensus == spec::Consensus::Ibft2 ? Consensus::Ibft2 : Consensus::Qbft;
    params.blockPeriodSeconds = network.genesis.blockPeriodSeconds;
    params.epochLength = network.genesis.epochLength;
    params.requestTimeoutSeconds = network.genesis.requestTimeoutSeconds;
    params.validators = std::move(validators);
    return params;
}

}  // namespace chainvisor::nodes::besu
