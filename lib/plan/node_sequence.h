// Node sequence: the ordered actions that bring one node from what was observed to its spec, with
// the disruption class of the whole sequence. It decides *what* a node needs; whether it may
// happen now (budgets, quorum, concurrency, pauses, backoff) is the planner's business.
#pragma once

#include <string>
#include <vector>

#include "plan/action.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::plan::detail {

// Which queue a node's work waits in for a concurrency slot; lower goes first.
enum class Priority {
    Restore = 0,     // a node that is down comes back up (start, heal)
    Create = 1,      // a container is made
    Change = 2,      // a change that takes nothing down (live resize, files of a stopped node)
    Disruptive = 3,  // restart, stop, destroy
};

struct NodeSequence {
    // In the order they must run. Every action carries the sequence's class: a restart sequence
    // is one disruption from its snapshot to its final start, which is what budgets count and what
    // the executor's intent record spans.
    std::vector<Action> actions;
    Disruption disruption = Disruption::None;
    Priority priority = Priority::Change;
    std::vector<std::string> notices;  // what no action will change ("disk cannot shrink …")
    // For a disruptive sequence: the part that disrupts nothing (live container changes, disk
    // growth), class None, to run on its own when budgets or quorum hold the whole back.
    std::vector<Action> liveOnly;

    bool empty() const { return actions.empty(); }
};

struct NodeFacts {
    const spec::Cluster* spec = nullptr;
    const spec::Node* node = nullptr;
    const ObservedContainer* container = nullptr;  // nullptr: no container with the node's vmid
    const ObservedNode* observed = nullptr;        // nullptr: nothing observed inside
    bool takeOwnership = false;   // adopt: true on a container without our marker: write it
    bool containersOnly = false;  // the host manages containers only (ObservedHost)
    std::string fingerprint;      // desiredConfigFingerprint of the node
    TimePoint now;
};

// The caller has already checked that the container (if any) is visible, ours (or adopted), on the
// spec's Proxmox node and in a known power state.
NodeSequence sequenceFor(const NodeFacts& facts);

// Stop (unless known stopped) and destroy `container`, for state: absent and for orphans. `base`
// names the node and place.
NodeSequence destroySequence(const Action& base, const ObservedContainer& container,
                             const std::string& reason);

// The snapshot taken before a disruptive sequence: "cv-20260314-101500" (UTC), a valid Proxmox
// snapshot name derived from `now` only.
std::string snapshotName(TimePoint now);

}  // namespace chainvisor::plan::detail
