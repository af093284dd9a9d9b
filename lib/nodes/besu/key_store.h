// The node keys chainvisord makes and keeps: a node of a Besu (or BitCell) network that declares
// no keyFile gets a key made once, at <state-dir>/keys/<node>.key (0600), before its node first
// starts, and keeps it for good: a container recreated from scratch gets the same identity back.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nodes/besu/node_key.h"
#include "spec/cluster.h"

namespace chainvisor::nodes::besu {

// Whether nodes of this network have keys chainvisor provisions (besu and bitcell kinds).
bool hasNodeKeys(const spec::Network& network);

// Makes every missing key of every node (not absent) of a keyed network that declares no
// keyFile; the keys directory is made 0700. Returns what failed, one line per node; keys already
// there are never replaced.
std::vector<std::string> provisionNodeKeys(const spec::Cluster& cluster,
                                           const std::filesystem::path& stateDir);

// The node's key: its keyFile, else the provisioned one. Errors name the node and the path,
// never the key.
ParsedKey loadNodeKey(const spec::Node& node, const std::filesystem::path& stateDir);

}  // namespace chainvisor::nodes::besu
