#include "nodes/besu/config_toml.h"

#include <algorithm>

namespace chainvisor::nodes::besu {

std::vector<std::string> rpcApis(Consensus consensus) {
    return {"ETH", "NET", "WEB3", "ADMIN", consensus == Consensus::Qbft ? "QBFT" : "IBFT"};
}

std::string renderConfigToml(const BesuConfig& config) {
    std::vector<std::pair<std::string, TomlValue>> options;
    const auto set = [&](std::string key, TomlValue value) {
        const auto same = [&](const auto& option) { return option.first == key; };
        if (auto it = std::find_if(options.begin(), options.end(), same); it != options.end()) {
            it->second = std::move(value);
        } else {
            options.emplace_back(std::move(key), std::move(value));
        }
    };

    set("data-path", config.dataPath);
    set("genesis-file", config.genesisFile);
    set("node-private-key-file", config.nodePrivateKeyFile);
    if (!config.p2pHost.empty()) {
        set("p2p-host", config.p2pHost);
    }
    set("p2p-port", std::int64_t{config.p2pPort});
    if (!config.bootnodes.empty()) {
        set("bootnodes", config.bootnodes);
    }
    if (!config.staticNodesFile.empty()) {
        set("static-nodes-file", config.staticNodesFile);
    }
    if (!config.permissionsNodesConfigFile.empty()) {
        set("permissions-nodes-config-file-enabled", true);
        set("permissions-nodes-config-file", config.permissionsNodesConfigFile);
    }
    set("rpc-http-enabled", true);
    set("rpc-http-host", config.rpcHttpHost);
    set("rpc-http-port", std::int64_t{config.rpcHttpPort});
    set("rpc-http-api", rpcApis(config.consensus));
    // Setting the allowlist replaces Besu's default, so localhost and 127.0.0.1 are kept.
    std::vector<std::string> hosts = {"localhost", "127.0.0.1"};
    for (const auto& host : config.probeHosts) {
        if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
            hosts.push_back(host);
        }
    }
    set("host-allowlist", hosts);
    set("metrics-enabled", true);
    set("metrics-host", config.metricsHost);
    set("metrics-port", std::int64_t{config.metricsPort});
    set("min-gas-price", std::int64_t{0});
    if (config.validator) {
        set("sync-mode", std::string("FULL"));
    }
    for (const auto& [key, value] : config.extra) {
        set(key, value);
    }

    std::string text = "# Written by chainvisord; changes here are overwritten.\n";
    for (const auto& [key, value] : options) {
        text += tomlLine(key, value);
    }
    return text;
}

}  // namespace chainvisor::nodes::besu
