// The planner: a pure function from (spec, observed, now) to the ordered actions that move the
// observed world toward the spec. No I/O, no clock reads, no randomness: every safety rule
// lives here and is tested table-style.
#pragma once

#include <string>
#include <vector>

#include "plan/action.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::plan {

// Why a node that differs from its spec gets no action in this plan.
struct Waiting {
    std::string node;
    std::string reason;  // "validator budget of devnet used: val2 is down (1 of 1)"

    friend bool operator==(const Waiting&, const Waiting&) = default;
};

// Something the operator should know that no action will change (not owned, orphaned, …).
struct Notice {
    std::string node;  // may be empty for host-level notices
    std::string message;

    friend bool operator==(const Notice&, const Notice&) = default;
};

struct Plan {
    std::vector<Action> actions;
    std::vector<Waiting> waiting;
    std::vector<Notice> notices;

    bool empty() const { return actions.empty(); }

    friend bool operator==(const Plan&, const Plan&) = default;
};

Plan plan(const spec::Cluster& spec, const Observed& observed, TimePoint now);

// The fingerprint of a node's config as the spec wants it; compared with
// ObservedNode::configFingerprint to decide whether config must be rewritten.
std::string desiredConfigFingerprint(const spec::Cluster& spec, const spec::Node& node);

// A plan as text, one action per line with its disruption class, then what waits and why.
std::string formatPlan(const Plan& plan);

}  // namespace chainvisor::plan
