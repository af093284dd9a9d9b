// The files that name a Besu node's peers: static-nodes.json (peers it always dials, read only at
// start; a missing named file is fatal) and the permissions file's nodes-allowlist (the only
// peers it accepts when node permissioning is on). Both list enodes sorted and without
// duplicates, so the order the cluster file names nodes in does not change the files.
#pragma once

#include <span>
#include <string>

#include "nodes/besu/enode.h"

namespace chainvisor::nodes::besu {

// A JSON array of enode URLs.
std::string renderStaticNodes(std::span<const Enode> peers);

// nodes-allowlist=["enode://…", …] (Besu's permissions_config.toml).
std::string renderNodesPermissions(std::span<const Enode> peers);

}  // namespace chainvisor::nodes::besu
