// The Reconciler: the engine's state between passes and the decisions of each pass. It merges its
// bookkeeping (operations in flight, attempts, backoff, permanent failures, pauses) into a fresh
// observation, asks the pure planner what to do, turns the plan into one chain of actions per
// node, and derives every node's condition. Single-threaded: owned by the io thread; the chains
// it hands out run elsewhere and come back through complete().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/backoff.h"
#include "engine/chain.h"
#include "engine/clock.h"
#include "engine/condition.h"
#include "engine/event.h"
#include "engine/journal.h"
#include "engine/network_status.h"
#include "engine/node_status.h"
#include "engine/random.h"
#include "plan/observed.h"
#include "plan/planner.h"
#include "spec/cluster.h"

namespace chainvisor::engine {

class Reconciler {
public:
    explicit Reconciler(spec::Cluster spec, const Clock& clock, Random& random, EventSink& events,
                        BackoffPolicy policy = {});

    // A reloaded (already validated) spec. A node whose spec changed (its own fields, its
    // network, its host, or its config's peers) loses its failure mark, attempts and backoff: the
    // change may be the fix. Chains already running finish against the spec they started with.
    void setSpec(spec::Cluster spec);
    const spec::Cluster& spec() const { return spec_; }

    // Intents a previous run left open (Journal::interrupted()): reported as events, and the nodes
    // show Progressing/ResumingInterrupted until they are back in shape.
    void noteInterrupted(const std::vector<Intent>& intents);

    // Call just before observing; pass the result to decide() with that observation. A chain that
    // completes while the observation is under way makes it stale for that node (it may show the
    // node before the chain's work), so decide() leaves such nodes alone for that pass; the
    // completion's own trigger brings a fresh pass.
    std::uint64_t observationStarting() { return ++epoch_; }

    // One pass: merge bookkeeping into `observed`, plan, derive conditions, and return the chains
    // to start now (never one for a node whose chain is still running). The caller must start
    // every returned chain and report each through complete(). Without `observedAt` (from
    // observationStarting()) the observation is taken as fresher than every completion.
    std::vector<Chain> decide(plan::Observed observed,
                              std::optional<std::uint64_t> observedAt = std::nullopt);

    // A chain ended. Success resets the node's attempts; a transient error backs off and is
    // retried for as long as it lasts (the node shows Failed after policy.failedAfterAttempts); a
    // permanent error marks the node Failed until its spec changes.
    void complete(const ChainOutcome& outcome);

    // nullopt: every node. pause/resume of a node not in the spec return false and do nothing.
    // resume(nullopt) lifts every pause.
    bool pause(std::optional<std::string> node);
    bool resume(std::optional<std::string> node);
    bool pausedAll() const { return pausedAll_; }
    const std::set<std::string, std::less<>>& pausedNodes() const { return pausedNodes_; }

    // Every spec node (absent ones while their container still exists).
    const NodeStatusMap& nodes() const { return status_; }
    const plan::Plan& lastPlan() const { return lastPlan_; }
    // Every network of the spec, as of the last pass.
    const std::map<std::string, NetworkStatus, std::less<>>& networks() const { return networks_; }
    // Networks whose rolling change is halted at a failed health gate, with why.
    const std::map<std::string, std::string, std::less<>>& haltedNetworks() const {
        return halted_;
    }
    std::optional<plan::TimePoint> lastPass() const { return lastPass_; }
    std::size_t chainsInFlight() const;
    const BackoffPolicy& backoffPolicy() const { return policy_; }

    // One line for systemd's STATUS=: "5 nodes: 3 ready, 2 progressing; 1 running; last pass
    // 0.4s ago".
    // "6 nodes: 5 ready, 1 progressing; 1 running; last pass 1.2s ago". Without `withAge` the
    // last clause is left out (for text that is read later than it is written, like STATUS=).
    std::string summary(bool withAge = true) const;

private:
    // Bookkeeping per node name: spec nodes and orphans alike.
    struct Book {
        int attempts = 0;
        std::optional<plan::TimePoint> retryAfter;
        bool permanentFailure = false;
        std::string lastError;
        std::optional<std::vector<plan::Action>> running;  // the chain in flight
        // What is inside the container, as last inspected or made by our actions: a stopped
        // container cannot be inspected, so this stands in for it until it runs again.
        bool insideKnown = false;
        std::optional<spec::Version> version;
        std::string configFingerprint;
        std::string interrupted;  // non-empty: a previous run was interrupted on this node
        std::string failureReason = "ActionFailed";  // the Failed condition's reason
        bool wasReady = false;
        std::uint64_t completedAt = 0;  // epoch_ when its last chain completed

        bool idle() const {
            return attempts == 0 && !retryAfter && !permanentFailure && !running && !insideKnown &&
                   interrupted.empty() && !wasReady;
        }
    };

    void emit(std::string node, std::string type, std::string message);
    void clearFailure(Book& book);
    bool stale(const Book& book) const;
    void mergeBookkeeping(plan::Observed& observed);
    std::vector<Chain> makeChains(const plan::Plan& plan);
    void deriveConditions(const plan::Observed& observed, plan::TimePoint now);
    // `readyNow`: the node's condition is Ready now (it keeps it through a failed reading).
    Condition derive(const spec::Node& node, Book& book, const plan::Observed& observed,
                     plan::TimePoint now, bool readyNow) const;
    Condition retrying(const Book& book) const;
    void setCondition(const std::string& name, NodeStatus& status, Condition condition);
    static void refreshBookkeeping(NodeStatus& status, const Book& book);
    void forgetGone(const plan::Observed& observed);
    void assessNetworks(plan::TimePoint now);
    void reportNewNotices();

    spec::Cluster spec_;
    const Clock& clock_;
    Random& random_;
    EventSink& events_;
    BackoffPolicy policy_;

    std::map<std::string, Book, std::less<>> books_;
    NodeStatusMap status_;
    std::set<std::string, std::less<>> pausedNodes_;
    bool pausedAll_ = false;
    std::map<std::string, std::string, std::less<>> halted_;  // network → why
    std::map<std::string, NetworkStatus, std::less<>> networks_;
    plan::Plan lastPlan_;
    std::set<std::pair<std::string, std::string>> notices_;  // of lastPlan_, already reported
    std::optional<plan::TimePoint> lastPass_;
    std::uint64_t epoch_ = 0;
    std::optional<std::uint64_t> observedAt_;  // of the observation decide() works with
};

}  // namespace chainvisor::engine
