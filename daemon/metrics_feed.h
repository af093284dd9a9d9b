// Tells the metrics what the engine knows: after each pass a full snapshot of nodes, networks and
// hosts (so series of what left the spec go away), and each finished chain's actions. Runs on
// the io thread, where the reconciler lives.
#pragma once

#include "engine/chain.h"
#include "engine/reconcile_loop.h"
#include "engine/reconciler.h"
#include "observe/metrics.h"

namespace chainvisor::daemon {

class MetricsFeed {
public:
    MetricsFeed(observe::Metrics& metrics, const engine::Reconciler& reconciler,
                const engine::ReconcileLoop& loop)
        : metrics_(metrics), reconciler_(reconciler), loop_(loop) {}

    void passDone(const engine::PassReport& report);
    void chainDone(const engine::Chain& chain, const engine::ChainOutcome& outcome);

private:
    observe::Metrics& metrics_;
    const engine::Reconciler& reconciler_;
    const engine::ReconcileLoop& loop_;
};

}  // namespace chainvisor::daemon
