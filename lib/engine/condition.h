// What the daemon says about each node: the answer to "why is this not converging".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plan/observed.h"

namespace chainvisor::engine {

enum class ConditionType {
    Ready,        // matches the spec and is healthy
    Progressing,  // actions are planned or running toward the spec
    Degraded,     // was Ready, now is not; being healed or waiting for a budget
    Failed,       // failed permanently, or still failing after many retries: needs an operator
    Unknown,      // its host cannot be observed: nothing is done about it
    Paused,       // an operator paused it
};

struct Condition {
    ConditionType type = ConditionType::Unknown;
    std::string reason;   // CamelCase, stable, for alerts: "HostUnreachable", "BudgetExhausted"
    std::string message;  // for humans: the planner's reason or the last error
    plan::TimePoint since;
    int attempts = 0;
    std::optional<plan::TimePoint> nextRetry;

    // Same type and reason: `since` is kept when a condition is re-derived unchanged.
    bool sameStateAs(const Condition& other) const {
        return type == other.type && reason == other.reason;
    }
};

std::string_view toString(ConditionType type);

}  // namespace chainvisor::engine
