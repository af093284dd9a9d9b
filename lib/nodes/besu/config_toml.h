// A Besu node's config.toml (keys are the long CLI options without "--"; Besu reads it with
// --config-file), from plain values. What chainvisor needs of every node is always there: the
// JSON-RPC APIs its probes and votes call, a Host allowlist that admits its probes, metrics,
// free gas, and full sync for validators.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nodes/besu/extra_data.h"
#include "nodes/besu/toml.h"

namespace chainvisor::nodes::besu {

struct BesuConfig {
    std::string dataPath;
    std::string genesisFile;
    std::string nodePrivateKeyFile;
    Consensus consensus = Consensus::Qbft;  // QBFT or IBFT in rpc-http-api
    bool validator = false;                 // validators sync FULL
    // The address other nodes reach this one at (advertised in its enode); empty leaves Besu's
    // default, 127.0.0.1, which no other node can reach.
    std::string p2pHost;
    int p2pPort = 30303;
    // Listening on every interface: the supervisor probes from outside the container.
    std::string rpcHttpHost = "0.0.0.0";
    int rpcHttpPort = 8545;
    std::string metricsHost = "0.0.0.0";
    int metricsPort = 9545;
    // Host header names Besu answers besides localhost and 127.0.0.1: the address the supervisor
    // probes this node at. Besu answers any other with 403 "Host not authorized.".
    std::vector<std::string> probeHosts;
    std::vector<std::string> bootnodes;      // enode URLs
    std::string staticNodesFile;             // "" for none
    std::string permissionsNodesConfigFile;  // "" for no node allowlist
    // The cluster file's passthrough `config`, in order. An option set above by default
    // (min-gas-price, sync-mode, …) takes this value instead; others are appended.
    std::vector<std::pair<std::string, TomlValue>> extra;
};

// ["ETH","NET","WEB3","ADMIN","QBFT"] (IBFT for IBFT 2.0): Besu enables ETH, NET and WEB3 only.
std::vector<std::string> rpcApis(Consensus consensus);

std::string renderConfigToml(const BesuConfig& config);

}  // namespace chainvisor::nodes::besu
