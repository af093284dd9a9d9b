// Container diff: how an existing container's configuration differs from its node's spec, by
// meaning (hostnames case-insensitively, addresses as parsed values, resources as numbers), so
// that a host's normalised echo of what we wrote never looks like a change.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/action.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::plan::detail {

struct ContainerDiff {
    // In a fixed field order: memory, swap, cores, hostname, ip, gateway, bridge. `live` is the
    // field's own property: memory and swap apply to a running container, the rest need a restart.
    std::vector<FieldChange> changes;
    std::optional<int> growDiskTo;    // GiB: the spec's disk is larger
    std::optional<int> shrinkDiskTo;  // GiB: the spec's disk is smaller (cannot be done)
    int observedDiskGiB = 0;

    bool needsRestart() const;  // some change does not apply live
    std::vector<FieldChange> liveChanges() const;
};

ContainerDiff diffContainer(const spec::Node& desired, const ObservedContainer& observed);

// The hostname the spec means: the node's name when none is given.
std::string desiredHostname(const spec::Node& node);

// "memory 4096 → 8192 MiB (live)", "cores 2 → 4 (restart)"; without the parenthesis when the
// container is not running (then nothing needs a restart).
std::string describeChange(const FieldChange& change, bool running);

}  // namespace chainvisor::plan::detail
