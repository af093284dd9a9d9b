// Exponential backoff with jitter for retrying a node's failed action: attempt 1 waits about
// `initial`, each further attempt doubles it, capped at `max`; the jitter spreads retries of many
// nodes so a recovering host is not hit by all of them at once.
#pragma once

#include <chrono>

#include "engine/random.h"

namespace chainvisor::engine {

struct BackoffPolicy {
    std::chrono::milliseconds initial{std::chrono::seconds(2)};
    std::chrono::milliseconds max{std::chrono::minutes(5)};
    double jitter = 0.2;  // the delay is scaled by a factor in [1 − jitter, 1 + jitter)
    // After this many transient failures in a row the node shows Failed, but it is still retried
    // (at most every `max`): a host that was down for an hour must heal without an operator.
    int failedAfterAttempts = 8;
};

// The delay before attempt `attempt + 1`, after `attempt` failures (attempt ≥ 1).
std::chrono::milliseconds backoffDelay(const BackoffPolicy& policy, int attempt, Random& random);

}  // namespace chainvisor::engine
