// What the daemon says about one node: its condition, its retry bookkeeping and what it last saw.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/condition.h"
#include "plan/observed.h"
#include "spec/values.h"

namespace chainvisor::engine {

// What the daemon says about one node of the spec, with what it last saw of it.
struct NodeStatus {
    Condition condition;
    int attempts = 0;  // failed attempts of the current operation
    std::optional<plan::TimePoint> retryAfter;
    bool permanentFailure = false;
    std::string lastError;
    bool inFlight = false;
    bool wasReady = false;  // Ready at some point since the node's spec last changed

    // The last observation, for status displays.
    bool containerExists = false;
    plan::PowerState power = plan::PowerState::Unknown;
    plan::ServiceState service = plan::ServiceState::Unknown;
    plan::Health health = plan::Health::Unknown;
    std::optional<spec::Version> version;
    std::optional<std::uint64_t> height;  // the node's head, as its probes read it
    std::optional<std::uint32_t> peers;
};

using NodeStatusMap = std::map<std::string, NodeStatus, std::less<>>;

}  // namespace chainvisor::engine
