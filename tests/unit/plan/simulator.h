// A fake world for property tests: applies a plan's actions the way a host would, refusing the
// ones a real host (or chainvisor's own safety rules) would refuse, and checks a plan against the
// planner's safety invariants independently of the planner's code.
#pragma once

#include <string>

#include "plan/observed.h"
#include "plan/planner.h"
#include "spec/cluster.h"

namespace chainvisor::plan::testing {

// Applies `action` to `world`; returns what was wrong with it ("" when it applied), e.g. a start
// of a running container, a non-live change to a running container, a destroy of a running one,
// any action on a blind host, a locked, foreign or unowned container.
std::string applyAction(const spec::Cluster& spec, Observed& world, const Action& action);

// Whether a validator is up, by the planner's documented definition (re-stated here).
bool isUp(const spec::Node& node, const Observed& world);

// The first broken safety invariant of `p` for (spec, world, now), "" when none is:
// per network, validators disrupted while up ≤ max(0, min(budget, f) − down) and nothing
// disruptive below quorum; never a disruptive validator action alongside a disruptive
// non-validator one in the same network; no action on a blind place, on a held node, on a
// locked, foreign or not-owned container; slots per Proxmox node and globally, counting operations
// in flight; destroys only for absent nodes or orphans under deletion: delete; one node's actions
// contiguous and naming the node's own place.
std::string firstViolation(const spec::Cluster& spec, const Observed& world, const Plan& p,
                           TimePoint now);

// Whether a spec node's observed state differs from its spec in a way a plan could change.
bool differsFromSpec(const spec::Cluster& spec, const Observed& world, const spec::Node& node);

// One line about what the world shows for a spec node, for failure messages.
std::string describeObserved(const spec::Cluster& spec, const Observed& world,
                             const spec::Node& node);

}  // namespace chainvisor::plan::testing
