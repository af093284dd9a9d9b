// What chainvisorctl prints for people: tables and details from the daemon's views. Pure
// functions of the views and `now`, so the output is tested without a daemon.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/control_api.h"

namespace chainvisor::ctl {

// A span of time, short and exact enough to read at a glance: "45s", "3m12s", "2h05m",
// "3d04h". Negative spans print as "0s".
std::string formatSpan(std::int64_t seconds);

// The condition's colour: Ready green, Progressing cyan, Degraded yellow, Failed red, …
std::string_view conditionColour(std::string_view condition);

// The status table: NODE NETWORK ROLE HOST VMID CONDITION REASON HEIGHT PEERS SINCE, after the
// daemon's one-line summary.
std::string formatStatus(const std::string& summary,
                         const std::vector<control::NetworkView>& networks,
                         const std::vector<control::NodeView>& nodes, control::UnixSeconds now,
                         bool colour);

// One node in detail: everything in the table plus the message, attempts and next retry.
std::string formatNode(const control::NodeView& node, control::UnixSeconds now, bool colour);

// The actions (node, kind, disruption, reason), then what waits and why, then notices.
std::string formatPlan(const control::PlanView& plan, control::UnixSeconds now, bool colour);

// "2024-05-01T12:00:03Z #12 val1 ActionSucceeded: started container 101"
std::string formatEvent(const control::EventView& event);

}  // namespace chainvisor::ctl
