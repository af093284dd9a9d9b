#include "nodes/besu/topology.h"

#include <algorithm>

namespace chainvisor::nodes::besu {
namespace {

bool peers(spec::Role a, spec::Role b, bool withSentries) {
    if (!withSentries || a == spec::Role::Sentry || b == spec::Role::Sentry) {
        return true;
    }
    return a == spec::Role::Validator && b == spec::Role::Validator;
}

}  // namespace

std::vector<const spec::Node*> peersOf(const spec::Cluster& cluster, const spec::Node& node) {
    std::vector<const spec::Node*> members;
    for (const auto& other : cluster.nodes) {
        if (other.network == node.network && other.state != spec::DesiredState::Absent) {
            members.push_back(&other);
        }
    }
    const bool withSentries = std::any_of(members.begin(), members.end(), [](const auto* m) {
        return m->role == spec::Role::Sentry;
    });
    std::vector<const spec::Node*> out;
    for (const auto* other : members) {
        if (other->name != node.name && peers(node.role, other->role, withSentries)) {
            out.push_back(other);
        }
    }
    return out;
}

}  // namespace chainvisor::nodes::besu
