// Who a Besu node peers with, as the cluster file's roles say. With sentries, validators are
// reached only through them: a validator peers with the other validators and the sentries, a
// sentry with everyone, an RPC node with the sentries. Without sentries every node peers with
// every other. The same set is the node's static peers and its nodes allowlist, so the relation
// is symmetric: whoever dials a node is one it accepts.
#pragma once

#include <vector>

#include "spec/cluster.h"

namespace chainvisor::nodes::besu {

// The nodes `node` peers with (not itself; absent nodes left out), in the cluster file's order.
std::vector<const spec::Node*> peersOf(const spec::Cluster& cluster, const spec::Node& node);

}  // namespace chainvisor::nodes::besu
