// What the control socket can ask of the daemon, in plain values: the daemon implements it over
// its Reconciler, event log and reload path; tests implement it with canned answers. No Asio and
// no engine types here, so the socket protocol does not change when the engine does.
//
// Every call is made on the daemon's io thread (the one that owns the Reconciler), so an
// implementation needs no locking. None may block for long: they answer from memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::control {

// Times are unix seconds: the client and the daemon share the machine's clock, and integers
// survive JSON unchanged.
using UnixSeconds = std::int64_t;

struct NodeView {
    std::string name;
    std::string network;
    std::string role;  // "validator", "sentry", …
    std::string host;
    int vmid = 0;

    std::string condition;  // "Ready", "Progressing", "Degraded", "Failed", "Unknown", "Paused"
    std::string reason;     // CamelCase, stable: "HostUnreachable"
    std::string message;    // for humans: the planner's reason or the last error
    UnixSeconds since = 0;  // when the condition last changed
    int attempts = 0;
    std::optional<UnixSeconds> nextRetry;

    // What the last observation and probes saw; empty or nullopt when not known.
    std::string container;  // "running", "stopped", "missing", "unknown"
    std::string service;    // "active", "inactive", "failed", "unknown"
    std::string version;    // the installed software version
    std::optional<std::int64_t> height;
    std::optional<int> peers;
    bool paused = false;
};

// A network as a whole: can it make blocks, and does it.
struct NetworkView {
    std::string name;
    std::string condition;  // "Ready", "Progressing", "Degraded"
    std::string reason;     // "Producing", "BelowQuorum", "HeightStalled", "RolloutHalted", …
    std::string message;
    UnixSeconds since = 0;
    int validators = 0;
    int validatorsOnline = 0;
    int quorum = 0;
    std::optional<std::int64_t> height;  // the highest head any node reported
    std::string halted;                  // non-empty: why its rollout is halted
};

struct PlannedAction {
    std::string node;
    std::string kind;        // "CreateContainer", … (plan::toString(ActionKind))
    std::string reason;      // why: "vmid 101 missing on local"
    std::string disruption;  // "none", "restart", "stop", "replace", "destroy"
    std::string host;
};

struct WaitingNode {
    std::string node;
    std::string reason;  // why it gets no action now: "validator budget of devnet used: …"
};

struct NoticeView {
    std::string node;  // may be empty for host-level notices
    std::string message;
};

// The plan of the last completed pass. A fresher one is had by asking for a pass
// (reconcile() and waiting for it), then reading this again.
struct PlanView {
    std::uint64_t pass = 0;         // the pass that made it; 0 before the first pass
    std::optional<UnixSeconds> at;  // when that pass ran
    std::vector<PlannedAction> actions;
    std::vector<WaitingNode> waiting;
    std::vector<NoticeView> notices;
};

struct EventView {
    std::uint64_t sequence = 0;  // 1, 2, 3, … in emission order, never reused while running
    UnixSeconds time = 0;
    std::string node;  // empty for cluster-wide events
    std::string type;  // "ChainStarted", "ActionFailed", "ConditionChanged", …
    std::string message;
};

class ControlApi {
public:
    virtual ~ControlApi() = default;

    // Every node of the spec (and orphans still being removed), in a stable order.
    virtual std::vector<NodeView> nodes() = 0;
    virtual std::optional<NodeView> node(std::string_view name) = 0;
    // Every network of the spec, in the spec's order.
    virtual std::vector<NetworkView> networks() { return {}; }
    // One line: "5 nodes: 3 ready, 2 progressing; 1 running; last pass 0.4s ago".
    virtual std::string summary() = 0;
    virtual PlanView plan() = 0;

    // Events with a sequence greater than `after`, oldest first, at most `limit`.
    virtual std::vector<EventView> events(std::uint64_t after, std::size_t limit) = 0;
    virtual std::uint64_t lastEventSequence() = 0;  // 0 before the first event

    // nullopt: everything. false: the node is not in the spec (nothing changed).
    virtual bool pause(std::optional<std::string> node) = 0;
    virtual bool resume(std::optional<std::string> node) = 0;
    // Requests a pass and returns the number of the pass that will include the request: a pass
    // whose observation starts after this call (the running one, if any, does not count).
    virtual std::uint64_t reconcile() = 0;
    virtual std::uint64_t passesCompleted() = 0;
    // Re-reads the cluster file: "" when the new spec is in effect, else why it was refused
    // (the running spec stays).
    virtual std::string reload() = 0;
};

}  // namespace chainvisor::control
