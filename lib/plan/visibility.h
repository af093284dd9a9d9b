// Visibility: whether the planner can see a place well enough to act on it ("never act while
// blind"). A host that is missing from the observation or unreachable, and a Proxmox node that
// its cluster reports offline, are blind: nothing there is known, so nothing there is changed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plan/observed.h"

namespace chainvisor::plan::detail {

// Why `pveNode` on `host` cannot be seen ("host pve unreachable: timeout", "pve2 offline");
// nullopt when it can. An empty pveNode (a local host) is blind only with its host.
std::optional<std::string> blindReason(const Observed& observed, std::string_view host,
                                       std::string_view pveNode);

// Where a container lives, for reasons and listings: its Proxmox node, else the host's name.
std::string placeName(std::string_view host, std::string_view pveNode);

}  // namespace chainvisor::plan::detail
