// Tells the metrics what the engine knows: after each pass a full snapshot of nodes, networks and
// hosts (so series of what left the spec go away), and each finished chain's actions. Runs on
// the io thread, where the reconciler lives.
#pragma once

#include <functional>
#include <string>

#include "engine/chain.h"
#include "engine/reconcile_loop.h"
#include "engine/reconciler.h"
#include "observe/metrics.h"

namespace chainvisor::daemon {

class MetricsFeed {
public:
    // `circuitOpen` says whether a spec host's provider is failing fast.
    MetricsFeed(observe::Metrics& metrics, const engine::Reconciler& reconciler,
                const engine::ReconcileLoop& loop,
                std::function<bool(const std::string&)> circuitOpen)
        : metrics_(metrics),
          reconciler_(reconciler),
          loop_(loop),
          circuitOpen_(std::move(circuitOpen)) {}

    void passDone(const engine::PassReport& report);
    void chainDone(const engine::Chain& chain, const engine::ChainOutcome& outcome);

private:
    observe::Metrics& metrics_;
    const engine::Reconciler& reconciler_;
    const engine::ReconcileLoop& loop_;
    std::function<bool(const std::string&)> circuitOpen_;
};

}  // namespace chainvisor::daemon
