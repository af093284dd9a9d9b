// Which of the planner's field changes a Proxmox container takes, and how: the REST provider
// (PUT …/config) and pct (pct set) follow the same rules, so they share them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// `via` completes "cannot change 'x' …": "on Proxmox", "with pct".
Result<CtChanges> classifyChanges(const std::vector<plan::FieldChange>& changes,
                                  std::string_view via);

// Adopting writes `owner` as tags: it must fit Proxmox's tag rules and be this cluster's.
Result<void> checkMarkable(const plan::OwnerMarker& owner, const std::string& clusterName);

// A snapshot name Proxmox accepts: [A-Za-z][A-Za-z0-9_-]{0,39}, not "current" or "vzdump".
Result<void> checkSnapshotName(const std::string& name);

}  // namespace chainvisor::hosts::proxmox
