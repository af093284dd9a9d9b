// A chain: one node's actions of one plan, run in plan order on a blocking-pool thread. It carries
// copies of everything it needs (the node, its container's spec), so a spec reload while it runs
// changes nothing under it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/journal.h"
#include "engine/node_agent.h"
#include "hosts/host.h"
#include "hosts/result.h"
#include "plan/action.h"
#include "spec/cluster.h"

namespace chainvisor::engine {

// How long a container gets to shut down gracefully before it is stopped by force. The node's
// service stops first, inside the container, under its own unit's TimeoutStopSec (Besu's is long:
// a killed Besu risks its database), so by the time the container stops little is left running;
// this grace covers the container's other services.
inline constexpr std::chrono::seconds kContainerStopGrace{60};

struct Chain {
    // The spec node; for an orphan (a container of this cluster no spec node claims), a node made
    // from the action: name, host, pveNode and vmid only.
    spec::Node node;
    hosts::ContainerSpec container;
    std::vector<plan::Action> actions;  // plan order
};

struct ChainOutcome {
    std::string node;
    std::size_t completed = 0;          // actions that succeeded, from the first
    std::optional<hosts::Error> error;  // of the action that failed; nullopt: all succeeded
    std::string failedAction;           // describeBriefly() of it
    // After a failed health gate (ErrorKind::Unhealthy): the snapshot the container was rolled
    // back to, or why it could not be.
    std::optional<std::string> rolledBackTo;
    std::string rollbackError;
};

// Whether an action gets a journal intent: everything that takes a node down or makes or removes a
// container.
bool journalled(const plan::Action& action);

// Runs the chain's actions in order and stops at the first failure. Each journalled action is
// recorded before it starts and closed when it ends, whether it succeeded or failed (the outcome
// is then known); only a crash leaves an intent open. If the intent cannot be written the action
// does not start (a transient error). Blocking; never throws.
ChainOutcome runChain(const Chain& chain, const spec::Cluster& specAtStart, hosts::Host& host,
                      NodeAgent& agent, Journal& journal, const Clock& clock);

// "create (vmid 101 on local): vmid 101 missing on local": one action for events and errors
// (the node's name is said beside it).
std::string describeBriefly(const plan::Action& action);

// The chain for `actions` (non-empty) (all of one node), with the node taken from `spec`, or made
// up for an orphan.
Chain makeChain(const spec::Cluster& spec, std::vector<plan::Action> actions);

}  // namespace chainvisor::engine
