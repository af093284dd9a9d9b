// Which of the planner's field changes a Proxmox container takes, and when: the REST provider
// (PUT …/config) and pct (pct set) follow the same rules, so they share them. Errors name no
// container: each provider puts where it is in front.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hosts/proxmox/marker.h"
#include "hosts/result.h"
#include "plan/action.h"
#include "plan/observed.h"

namespace chainvisor::hosts::proxmox {

struct CtChanges {
    bool adopt = false;    // "owner": our marker is written
    bool network = false;  // ip, gateway or bridge: net0 is rewritten
    // Fields that apply only to a stopped container; memory and swap apply live.
    std::vector<std::string> needStopped;
};

// The changes sorted out; Permanent for a field Proxmox cannot change (`via` completes "cannot
// change 'x' …": "on Proxmox", "with pct") and for adopting with an `owner` that cannot be
// written as this cluster's tags.
Result<CtChanges> classifyChanges(const std::vector<plan::FieldChange>& changes,
                                  const plan::OwnerMarker& owner, const std::string& clusterName,
                                  std::string_view via);

// Whether a container whose marker is `marker` (its tags: `tags`) may be updated for `owner`:
// it must be that node's, or, when adopting, unmarked or marked by this cluster, never another
// cluster's. Permanent otherwise.
Result<void> checkUpdatable(const TagMarker& marker, const std::string& tags,
                            const plan::OwnerMarker& owner, const std::string& clusterName,
                            bool adopt);

// Transient "cores, hostname cannot change while it is running; stop it first" unless every
// field applies at `status` (the container's status/current: "stopped", "running", …).
Result<void> checkStopped(const CtChanges& changes, const std::string& status);

// A snapshot name Proxmox accepts: [A-Za-z][A-Za-z0-9_-]{0,39}, not "current" or "vzdump".
Result<void> checkSnapshotName(const std::string& name);

}  // namespace chainvisor::hosts::proxmox
