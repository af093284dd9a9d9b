#include "engine/network_status.h"

#include <algorithm>

namespace chainvisor::engine {
namespace {

bool makesBlocks(const spec::Network& network) {
    return network.kind == spec::NetworkKind::Besu || network.kind == spec::NetworkKind::Bitcell;
}

// Taking part now: Ready, or serving and healthy while it waits for a change of its own (an
// upgrade it has not had yet does not take it offline).
bool online(const NodeStatus& node) {
    return node.condition.type == ConditionType::Ready ||
           (node.power == plan::PowerState::Running && node.service == plan::ServiceState::Active &&
            node.health == plan::Health::Ready && !node.inFlight);
}

std::string seconds(std::chrono::milliseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

std::chrono::milliseconds stallAfter(const spec::Cluster& spec, const spec::Network& network) {
    const std::chrono::milliseconds period =
        network.kind == spec::NetworkKind::Besu
            ? std::chrono::seconds(std::max(1, network.genesis.blockPeriodSeconds))
            : std::chrono::seconds(10);
    return std::max(3 * period, 3 * spec.policy.probeInterval);
}

NetworkStatus assessNetwork(const spec::Cluster& spec, const spec::Network& network,
                            const NodeStatusMap& nodes, const NetworkStatus* previous,
                            const std::string& halted, plan::TimePoint now) {
    NetworkStatus status;
    status.halted = halted;
    for (const spec::Node* validator : spec.validatorsOf(network.name)) {
        ++status.validators;
        auto it = nodes.find(validator->name);
        if (it != nodes.end() && online(it->second)) {
            ++status.validatorsOnline;
        }
    }
    status.quorum = spec::quorum(status.validators);
    for (const auto& node : spec.nodes) {
        if (node.network != network.name) {
            continue;
        }
        auto it = nodes.find(node.name);
        if (it != nodes.end() && it->second.height) {
            status.height = std::max(status.height.value_or(0), *it->second.height);
        }
    }
    if (previous != nullptr && previous->height && status.height &&
        *status.height <= *previous->height) {
        status.heightRose = previous->heightRose;
        status.height = previous->height;  // a node behind the others does not lower the head
    } else if (status.height) {
        status.heightRose = now;
    } else if (previous != nullptr) {
        status.height = previous->height;
        status.heightRose = previous->heightRose;
    }

    const auto keep = [&](Condition c) {
        if (previous != nullptr && c.sameStateAs(previous->condition)) {
            c.since = previous->condition.since;
        } else {
            c.since = now;
        }
        return c;
    };
    const std::string online = std::to_string(status.validatorsOnline) + " of " +
                               std::to_string(status.validators) + " validators online (quorum " +
                               std::to_string(status.quorum) + ")";
    Condition c;
    c.type = ConditionType::Ready;
    c.reason = "Producing";
    c.message = online;
    if (!makesBlocks(network)) {
        c.reason = "Running";
        c.message.clear();
    } else if (status.validatorsOnline < status.quorum) {
        c.type = ConditionType::Degraded;
        c.reason = "BelowQuorum";
        c.message = online + ": the chain cannot make blocks";
    } else if (!status.height) {
        c.type = ConditionType::Progressing;
        c.reason = "NoHeight";
        c.message = online + "; no node has reported a block height yet";
    } else if (const auto still = now - *status.heightRose; still > stallAfter(spec, network)) {
        c.type = ConditionType::Degraded;
        c.reason = "HeightStalled";
        c.message = "head at " + std::to_string(*status.height) + " for " +
                    seconds(std::chrono::duration_cast<std::chrono::milliseconds>(still)) + "; " +
                    online;
    }
    // Below quorum says more; anything else, the halt is what an operator must act on.
    if (!halted.empty() && c.reason != "BelowQuorum") {
        c.message = c.type == ConditionType::Ready ? halted : halted + "; " + c.message;
        c.type = ConditionType::Degraded;
        c.reason = "RolloutHalted";
    }
    status.condition = keep(std::move(c));
    return status;
}

}  // namespace chainvisor::engine
