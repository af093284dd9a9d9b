// What the daemon says about each network as a whole: validators online against the quorum
// ⌈2n/3⌉ a BFT chain needs, whether its head is still rising, and whether a rolling change is
// halted. Ready when the chain can and does make blocks; Degraded when it cannot or does not.
// Pure: the next status from the previous one, the nodes' statuses and `now`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/condition.h"
#include "engine/node_status.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::engine {

struct NetworkStatus {
    Condition condition;
    int validators = 0;
    int validatorsOnline = 0;  // validators Ready, or serving and healthy
    int quorum = 0;
    std::optional<std::uint64_t> height;        // the highest head any node reported
    std::optional<plan::TimePoint> heightRose;  // when that head last rose (or was first seen)
    std::string halted;                         // non-empty: why its rollout is halted
};

// How long a head may stand still before the network counts as stalled: three block periods
// (Besu's genesis says; 10 s for kinds that do not), but never less than three probe intervals,
// since heads are only seen that often.
std::chrono::milliseconds stallAfter(const spec::Cluster& spec, const spec::Network& network);

NetworkStatus assessNetwork(const spec::Cluster& spec, const spec::Network& network,
                            const NodeStatusMap& nodes, const NetworkStatus* previous,
                            const std::string& halted, plan::TimePoint now);

}  // namespace chainvisor::engine
