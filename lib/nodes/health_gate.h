// The health gate a node passes after it was restarted for a change, before a rolling change goes
// on to the next node: ready by the kind's rule, with its peers, its chain head rising and, for a
// validator, a block sealed by itself, all seen after the restart. Pure: fed one reading at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "nodes/node_kind.h"
#include "nodes/node_reading.h"

namespace chainvisor::nodes {

class HealthGate {
public:
    explicit HealthGate(GateCriteria criteria) : criteria_(criteria) {}

    // One reading; true once every criterion has been met (and from then on).
    bool feed(const NodeReading& reading);
    bool passed() const { return passed_; }
    // What is still missing, for the error when time runs out: "not ready: readiness DOWN".
    std::string missing() const { return missing_; }
    // "ready, ≥1 peers, height rising, own seal": what the gate asks for.
    std::string describe() const;

private:
    GateCriteria criteria_;
    bool passed_ = false;
    std::string missing_ = "no reading yet";
    std::optional<std::uint64_t> readyHeight_;  // the head at the first ready reading
    bool heightRose_ = false;
    bool sealed_ = false;
};

}  // namespace chainvisor::nodes
