// bitcell-node's command line for one node, from the cluster file alone. BitCell has no config
// file: everything a node is told (role, ports, data directory, peers, key, the node's own
// `config` options) is a flag, so the command line is the node's configuration and lives in its
// systemd unit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hosts/result.h"
#include "spec/cluster.h"

namespace chainvisor::nodes::bitcell {

// Where things are inside a BitCell container.
inline constexpr const char* kUser = "bitcell";
inline constexpr const char* kHome = "/var/lib/bitcell";
inline constexpr const char* kDataDir = "/var/lib/bitcell/data";
inline constexpr const char* kKeyPath = "/var/lib/bitcell/node.key";
inline constexpr const char* kBinary = "/opt/bitcell/current/bin/bitcell-node";

// bitcell-node serves /metrics on --port + 2 and has no flag to move it. The cluster reader
// resolves ports.metrics of a bitcell node to the same and refuses it being set
// (spec/read_nodes.cpp).
constexpr int metricsPortOf(int p2pPort) {
    return p2pPort + 2;
}

// "/ip4/A.B.C.D/tcp/P2P" of every other node of `node`'s network that is not absent and has an
// address, in address order (the cluster file's order does not matter), once each.
std::vector<std::string> bootstrapAddresses(const spec::Cluster& spec, const spec::Node& node);

// The one bootstrap peer `node` is given: bitcell-node takes --bootstrap once (clap refuses it
// twice) and learns the rest from its peers. The next node after this one in address order,
// wrapping around, so the bootstrap links form one ring through the whole network. nullopt for a
// lone node.
std::optional<std::string> bootstrapPeer(const spec::Cluster& spec, const spec::Node& node);

// The whole argument vector, the binary first:
//   bitcell-node <validator|miner|full-node> --data-dir D --port P --rpc-port R --enable-dht
//     [--bootstrap /ip4/A/tcp/P] --key-file K [node.config as flags, by key]
// A config entry `key: true` is `--key`, `false` nothing, a string or integer `--key value`
// (`--key=value` when the value begins with '-', so it cannot pass for a flag), a list the same
// once per item. A permanent error for a role BitCell does not have, or a config key that would
// override what chainvisor sets.
hosts::Result<std::vector<std::string>> commandLine(const spec::Cluster& spec,
                                                    const spec::Node& node);

}  // namespace chainvisor::nodes::bitcell
