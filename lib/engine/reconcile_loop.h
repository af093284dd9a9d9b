// The reconcile loop: one coroutine on the io thread that runs level-triggered passes
// (observe → plan → start chains) on a periodic resync with jitter and on triggers (file change,
// SIGHUP, control requests, an action finishing). Passes never overlap; triggers that arrive
// during a pass make exactly one more. Blocking work (host calls) runs on the pool and posts its
// result back, so the Reconciler is only ever touched from the io thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/clock.h"
#include "engine/journal.h"
#include "engine/node_agent.h"
#include "engine/observer.h"
#include "engine/random.h"
#include "engine/reconciler.h"
#include "hosts/host.h"

namespace chainvisor::engine {

struct LoopOptions {
    std::chrono::milliseconds resync{std::chrono::seconds(30)};
    double jitter = 0.1;                    // resync × [1 − jitter, 1 + jitter]
    std::chrono::milliseconds settle{200};  // gather a burst of triggers
    std::chrono::milliseconds shutdownGrace{std::chrono::seconds(90)};  // wait for running chains
};

// The wait before a periodic pass: options.resync × [1 − jitter, 1 + jitter], placed in that range
// by `unit`, a draw in [0, 1).
std::chrono::milliseconds resyncDelay(const LoopOptions& options, double unit);

// What one pass saw and did, for metrics.
struct PassReport {
    std::chrono::steady_clock::duration took{};
    std::size_t chainsStarted = 0;
    std::vector<std::pair<std::string, bool>> hostsReachable;  // spec host → observed
};

class ReconcileLoop {
public:
    ReconcileLoop(boost::asio::io_context& io, boost::asio::thread_pool& pool,
                  Reconciler& reconciler, HostMap hosts, NodeAgent& agent, Journal& journal,
                  const Clock& clock, Random& random, LoopOptions options);

    // Runs until stop(); then waits up to options.shutdownGrace for running chains.
    boost::asio::awaitable<void> run();

    // Both must be called on the io thread.
    void trigger(std::string why);
    void stop();
    void setOptions(LoopOptions options) { options_ = options; }
    // A new spec (already validated) and hosts for it; takes effect at the next pass.
    void setSpec(spec::Cluster spec, HostMap hosts);

    int chainsRunning() const { return running_; }
    std::uint64_t passes() const { return passes_; }   // completed passes
    bool passRunning() const { return passRunning_; }  // one is observing or deciding now

    std::function<void()> onFirstObservation;        // READY=1
    std::function<void(const std::string&)> onPass;  // STATUS=… after each pass
    std::function<void(const PassReport&)> onPassReport;
    // A chain ended (on the io thread, after the reconciler heard of it).
    std::function<void(const Chain&, const ChainOutcome&)> onChainDone;

private:
    boost::asio::awaitable<void> pass();
    boost::asio::awaitable<plan::Observed> observe(std::shared_ptr<const spec::Cluster> spec);
    void startChain(Chain chain, std::shared_ptr<const spec::Cluster> spec);
    std::chrono::milliseconds nextResync();

    boost::asio::io_context& io_;
    boost::asio::thread_pool& pool_;
    Reconciler& reconciler_;
    HostMap hosts_;
    NodeAgent& agent_;
    Journal& journal_;
    const Clock& clock_;
    Random& random_;
    LoopOptions options_;

    // The spec as of the last setSpec, shared with the chains that run against it.
    std::shared_ptr<const spec::Cluster> spec_;
    boost::asio::steady_timer wake_;
    bool pending_ = true;  // a pass is owed (the first one at start)
    std::string pendingWhy_ = "start";
    bool stopping_ = false;
    bool passRunning_ = false;
    bool observedOnce_ = false;
    int running_ = 0;
    std::uint64_t passes_ = 0;
};

}  // namespace chainvisor::engine
