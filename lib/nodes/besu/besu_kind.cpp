#include "nodes/besu/besu_kind.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "nodes/archive_install.h"
#include "nodes/besu/besu_probe.h"
#include "nodes/besu/config_toml.h"
#include "nodes/besu/enode.h"
#include "nodes/besu/key_store.h"
#include "nodes/besu/network_genesis.h"
#include "nodes/besu/peer_files.h"
#include "nodes/besu/topology.h"
#include "nodes/besu/validator_keys.h"
#include "nodes/unit_file.h"

namespace chainvisor::nodes::besu {
namespace {

using hosts::Error;

const std::string kGenesisFile = std::string(kConfigDir) + "/genesis.json";
const std::string kConfigFile = std::string(kConfigDir) + "/config.toml";
const std::string kStaticNodesFile = std::string(kConfigDir) + "/static-nodes.json";
const std::string kPermissionsFile = std::string(kConfigDir) + "/permissions_config.toml";

const ArchiveRelease kRelease{"besu", kUser, kDataPath};

Consensus consensusOf(const spec::Network& network) {
    return network.consensus == spec::Consensus::Ibft2 ? Consensus::Ibft2 : Consensus::Qbft;
}

hosts::Result<std::string> genesisOf(const spec::Cluster& spec, const spec::Network& network,
                                     const std::filesystem::path& stateDir) {
    auto genesis = networkGenesis(spec, network, stateDir, true);
    if (!genesis.error.empty()) {
        return genesis.retry ? Error::transient("genesis of " + network.name + ": " + genesis.error)
                             : Error::permanent(genesis.error);
    }
    return std::move(genesis.text);
}

// The peers' enodes; every peer needs a key and an address.
hosts::Result<std::vector<Enode>> peerEnodes(const spec::Cluster& spec, const spec::Node& node,
                                             const std::filesystem::path& stateDir) {
    std::vector<Enode> enodes;
    for (const spec::Node* peer : peersOf(spec, node)) {
        if (!peer->ip) {
            return Error::permanent("peer " + peer->name + " has no ip: its enode needs one");
        }
        auto key = loadNodeKey(*peer, stateDir);
        if (!key.key) {
            return Error::transient("static nodes: " + key.error);
        }
        Enode enode;
        enode.id = key.key->publicKey();
        enode.ip = peer->ip->address.str();
        enode.port = peer->ports.p2p;
        enodes.push_back(std::move(enode));
    }
    return enodes;
}

TomlValue tomlOf(const spec::ConfigValue& value) {
    return std::visit([](const auto& v) -> TomlValue { return v; }, value);
}

}  // namespace

std::string besuOpts(int memoryMiB) {
    return "-Xmx" + std::to_string(std::max(256, memoryMiB / 2)) + "m";
}

hosts::Result<std::vector<hosts::FileWrite>> BesuKind::configFiles(const spec::Cluster& spec,
                                                                   const spec::Node& node) const {
    const spec::Network* network = spec.findNetwork(node.network);
    if (network == nullptr) {
        return Error::permanent("no network " + node.network);
    }
    if (!node.ip) {
        return Error::permanent("a Besu node needs an ip: its enode and its probes use it");
    }
    auto genesis = genesisOf(spec, *network, stateDir_);
    if (!genesis) {
        return genesis.error();
    }
    auto own = loadNodeKey(node, stateDir_);
    if (!own.key) {
        return Error::transient(own.error);
    }
    auto peers = peerEnodes(spec, node, stateDir_);
    if (!peers) {
        return peers.error();
    }
    const std::string ip = node.ip->address.str();

    BesuConfig config;
    config.dataPath = kDataPath;
    config.genesisFile = kGenesisFile;
    config.nodePrivateKeyFile = kKeyPath;
    config.consensus = consensusOf(*network);
    config.validator = node.role == spec::Role::Validator;
    config.p2pHost = ip;
    config.p2pPort = node.ports.p2p;
    config.rpcHttpPort = node.ports.rpc;
    config.metricsPort = node.ports.metrics;
    config.probeHosts = {ip};
    config.staticNodesFile = kStaticNodesFile;
    config.permissionsNodesConfigFile = kPermissionsFile;
    for (const auto& [key, value] : node.config) {
        config.extra.emplace_back(key, tomlOf(value));
    }

    UnitFile unit;
    unit.description = "Hyperledger Besu " + node.name + " (" + node.network + ", " +
                       std::string(spec::toString(node.role)) + "; managed by chainvisor)";
    unit.execStart = {currentDir(kRelease) + "/bin/besu", "--config-file=" + kConfigFile};
    unit.user = kUser;
    unit.workingDirectory = kDataPath;
    unit.environment = {{"BESU_OPTS", besuOpts(node.resources.memoryMiB)}};
    // Besu stops cleanly on SIGTERM; a SIGKILL risks its RocksDB, so give it long to finish.
    unit.timeoutStopSeconds = 900;

    std::vector<hosts::FileWrite> files;
    files.push_back({kGenesisFile, std::move(genesis.value()), 0644});
    files.push_back({kConfigFile, renderConfigToml(config), 0644});
    files.push_back({kStaticNodesFile, renderStaticNodes(peers.value()), 0644});
    files.push_back({kPermissionsFile, renderNodesPermissions(peers.value()), 0644});
    // Before the first start: a Besu that finds no key makes one of its own, a new identity.
    files.push_back({kKeyPath, own.key->keyFileText(), 0600, kUser, ""});
    files.push_back({"/etc/systemd/system/besu.service", renderUnit(unit), 0644});
    return files;
}

InstallPlan BesuKind::installPlan(const spec::Cluster& spec, const spec::Node& node) const {
    const spec::Network* network = spec.findNetwork(node.network);
    return network != nullptr ? archiveInstallPlan(kRelease, *network) : InstallPlan{};
}

std::optional<NodeReading> BesuKind::read(const spec::Cluster& spec, const spec::Node& node,
                                          ProbeHttp& http) const {
    const spec::Network* network = spec.findNetwork(node.network);
    if (network == nullptr || !node.ip) {
        return std::nullopt;
    }
    BesuProbeTarget target;
    target.address = node.ip->address.str();
    target.rpcPort = node.ports.rpc;
    // A node with no one to peer with is ready alone (a one-node devnet).
    target.minPeers =
        std::min(spec.policy.healthGate.minPeers, static_cast<int>(peersOf(spec, node).size()));
    target.maxBlocksBehind = spec.policy.healthGate.maxBlocksBehind;
    target.consensus = consensusOf(*network);
    if (node.role == spec::Role::Validator) {
        if (auto key = loadNodeKey(node, stateDir_); key.key) {
            target.validator = key.key->address();
        }
    }
    return readBesu(target, http);
}

GateCriteria BesuKind::gateCriteria(const spec::Cluster& spec, const spec::Node& node) const {
    GateCriteria criteria;
    criteria.minPeers =
        std::min(spec.policy.healthGate.minPeers, static_cast<int>(peersOf(spec, node).size()));
    criteria.heightRising = true;
    criteria.ownSeal = node.role == spec::Role::Validator;
    return criteria;
}

}  // namespace chainvisor::nodes::besu
