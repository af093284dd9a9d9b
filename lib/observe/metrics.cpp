#include "observe/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "observe/series.h"

namespace chainvisor::observe {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Labels;

// The engine's six conditions, in its order. The one-hot family always has all six per node,
// so `== 1` and `== 0` are both meaningful in alert rules.
constexpr std::array<std::string_view, 6> kConditions = {"Ready",  "Progressing", "Degraded",
                                                         "Failed", "Unknown",     "Paused"};
constexpr std::size_t kUnknown = 4;

constexpr std::array<ActionResult, 3> kResults = {
    ActionResult::Succeeded, ActionResult::FailedTransient, ActionResult::FailedPermanent};

std::size_t conditionIndex(std::string_view condition) {
    const auto found = std::find(kConditions.begin(), kConditions.end(), condition);
    return found == kConditions.end() ? kUnknown : std::size_t(found - kConditions.begin());
}

double unixSeconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// A pass observes every host and plans: milliseconds on a small fleet, up to a minute on a
// large one behind slow APIs.
Histogram::BucketBoundaries passBuckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

// Proxmox answers in milliseconds, takes 3 s to refuse bad credentials and its proxy hop gives
// up after 30 s.
Histogram::BucketBoundaries hostApiBuckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

Family<Counter>& counter(prometheus::Registry& r, const std::string& name,
                         const std::string& help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

Family<Gauge>& gauge(prometheus::Registry& r, const std::string& name, const std::string& help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

Family<Histogram>& histogram(prometheus::Registry& r, const std::string& name,
                             const std::string& help) {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

Labels with(Labels labels, const std::string& name, std::string_view value) {
    labels.emplace(name, std::string(value));
    return labels;
}

// Erases the entries of `map` whose names are not in `keep`; their Series remove themselves.
template <typename Map>
void dropMissing(Map& map, const std::set<std::string_view>& keep) {
    std::erase_if(map, [&](const auto& entry) { return !keep.contains(entry.first); });
}

bool byLabels(const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
    const auto pair = [](const prometheus::ClientMetric::Label& l) {
        return std::tie(l.name, l.value);
    };
    return std::lexicographical_compare(
        a.label.begin(), a.label.end(), b.label.begin(), b.label.end(),
        [&](const auto& x, const auto& y) { return pair(x) < pair(y); });
}

}  // namespace

std::string_view toString(ActionResult result) {
    switch (result) {
        case ActionResult::Succeeded:
            return "succeeded";
        case ActionResult::FailedTransient:
            return "failed_transient";
        case ActionResult::FailedPermanent:
            return "failed_permanent";
    }
    return "unknown";
}

struct Metrics::State {
    struct NodeSeries {
        std::string network;
        std::optional<std::uint64_t> height;
        std::array<Series<Gauge>, kConditions.size()> condition;
        Series<Gauge> ready, blockHeight, peers, since, info;
    };
    struct NetworkSeries {
        Series<Gauge> validators, online, quorum, blockHeight, halted;
    };
    struct HostSeries {
        Series<Histogram> duration;
        Series<Gauge> circuitOpen, reachable;
        std::map<std::string, Series<Counter>, std::less<>> errors;  // by error kind
    };

    explicit State(std::string_view version, std::string_view revision);

    HostSeries& host(std::string_view name);
    void refreshNetworkHeights();

    std::mutex mutex;
    // Declared first, destroyed last: every Series below removes itself from its family.
    prometheus::Registry registry;

    Family<Counter>& passes;
    Family<Histogram>& passDuration;
    Family<Gauge>& lastSuccess;
    Family<Counter>& actions;
    Family<Counter>& retries;
    Family<Gauge>& inFlight;
    Family<Gauge>& waiting;
    Family<Gauge>& nodeCondition;
    Family<Gauge>& nodeReady;
    Family<Gauge>& nodeHeight;
    Family<Gauge>& nodePeers;
    Family<Gauge>& nodeSince;
    Family<Gauge>& nodeInfo;
    Family<Gauge>& networkValidators;
    Family<Gauge>& networkOnline;
    Family<Gauge>& networkQuorum;
    Family<Gauge>& networkHeight;
    Family<Gauge>& networkHalted;
    Family<Histogram>& hostDuration;
    Family<Counter>& hostErrors;
    Family<Gauge>& hostCircuitOpen;
    Family<Gauge>& hostReachable;
    Family<Gauge>& buildInfo;
    Family<Gauge>& paused;

    Counter& passesTotal;
    Histogram& passDurationSeconds;
    Gauge& lastSuccessSeconds;
    Counter& retriesTotal;
    Gauge& inFlightNow;
    Gauge& waitingNow;
    Gauge& pausedNow;

    std::map<std::string, std::array<Counter*, kResults.size()>, std::less<>> actionKinds;
    std::map<std::string, NodeSeries, std::less<>> nodes;
    std::map<std::string, NetworkSeries, std::less<>> networks;
    std::map<std::string, HostSeries, std::less<>> hosts;
};

Metrics::State::State(std::string_view version, std::string_view revision)
    : passes(counter(registry, "chainvisor_reconcile_passes_total",
                     "Reconcile passes run (observe, plan, start actions), failed ones included.")),
      passDuration(histogram(registry, "chainvisor_reconcile_pass_duration_seconds",
                             "How long one reconcile pass took.")),
      lastSuccess(gauge(registry, "chainvisor_reconcile_last_success_timestamp_seconds",
                        "Unix time the last successful reconcile pass ended; 0 before the first.")),
      actions(counter(registry, "chainvisor_actions_total",
                      "Actions finished, by kind and result (succeeded, failed_transient, "
                      "failed_permanent).")),
      retries(counter(registry, "chainvisor_action_retries_total",
                      "Action attempts that were retries of a failed attempt.")),
      inFlight(gauge(registry, "chainvisor_actions_in_flight",
                     "Actions in the work queue: running or about to run.")),
      waiting(gauge(registry, "chainvisor_actions_waiting",
                    "Actions planned but waiting for a disruption budget.")),
      nodeCondition(gauge(registry, "chainvisor_node_condition",
                          "1 for the node's current condition, 0 for the other five.")),
      nodeReady(gauge(registry, "chainvisor_node_ready",
                      "1 when the node matches the spec and is healthy.")),
      nodeHeight(gauge(registry, "chainvisor_node_block_height",
                       "The node's chain height at its last probe.")),
      nodePeers(gauge(registry, "chainvisor_node_peers",
                      "The node's peer count at its last probe; absent when unknown.")),
      nodeSince(gauge(registry, "chainvisor_node_condition_since_timestamp_seconds",
                      "Unix time the node's current condition began.")),
      nodeInfo(gauge(registry, "chainvisor_node_info",
                     "Always 1: the node's descriptive labels (region), to join on node.")),
      networkValidators(gauge(registry, "chainvisor_network_validators",
                              "Validators in the network's validator set.")),
      networkOnline(gauge(registry, "chainvisor_network_validators_online",
                          "Validators of the network that are up and in sync.")),
      networkQuorum(gauge(registry, "chainvisor_network_quorum",
                          "Validators needed to produce a block: ceil(2n/3).")),
      networkHeight(gauge(registry, "chainvisor_network_block_height",
                          "The highest block height among the network's probed nodes.")),
      networkHalted(gauge(registry, "chainvisor_network_rollout_halted",
                          "1 when a rolling change of the network stopped at a health gate.")),
      hostDuration(histogram(registry, "chainvisor_host_api_request_duration_seconds",
                             "How long one call to a host's API took.")),
      hostErrors(counter(registry, "chainvisor_host_api_errors_total",
                         "Failed calls to a host's API, by kind of failure.")),
      hostCircuitOpen(gauge(registry, "chainvisor_host_circuit_open",
                            "1 while calls to the host are refused by its circuit breaker.")),
      hostReachable(gauge(registry, "chainvisor_host_reachable",
                          "1 when the host's last observation succeeded.")),
      buildInfo(gauge(registry, "chainvisor_build_info",
                      "Always 1: the running chainvisord's version and revision.")),
      paused(gauge(registry, "chainvisor_paused",
                   "1 while an operator has paused the whole cluster.")),
      passesTotal(passes.Add({})),
      passDurationSeconds(passDuration.Add({}, passBuckets())),
      lastSuccessSeconds(lastSuccess.Add({})),
      retriesTotal(retries.Add({})),
      inFlightNow(inFlight.Add({})),
      waitingNow(waiting.Add({})),
      pausedNow(paused.Add({})) {
    buildInfo.Add({{"version", std::string(version)}, {"revision", std::string(revision)}}).Set(1);
}

Metrics::State::HostSeries& Metrics::State::host(std::string_view name) {
    auto found = hosts.find(name);
    if (found == hosts.end()) {
        found = hosts.emplace(std::string(name), HostSeries{}).first;
    }
    return found->second;
}

// A network's height is the highest its nodes report: one lagging node must not look like a
// stalled chain, and the alert on a stall watches this series.
void Metrics::State::refreshNetworkHeights() {
    for (auto& [name, series] : networks) {
        std::optional<std::uint64_t> highest;
        for (const auto& [nodeName, n] : nodes) {
            if (n.network == name && n.height && (!highest || *n.height > *highest)) {
                highest = n.height;
            }
        }
        if (highest) {
            series.blockHeight.bind(networkHeight, {{"network", name}}).Set(double(*highest));
        } else {
            series.blockHeight.reset();
        }
    }
}

Metrics::Metrics(std::string_view version, std::string_view revision)
    : state_(std::make_unique<State>(version, revision)) {}

Metrics::~Metrics() = default;

void Metrics::recordReconcilePass(std::chrono::duration<double> took, bool succeeded,
                                  std::chrono::system_clock::time_point finishedAt) {
    const std::lock_guard lock(state_->mutex);
    state_->passesTotal.Increment();
    state_->passDurationSeconds.Observe(took.count());
    if (succeeded) {
        state_->lastSuccessSeconds.Set(unixSeconds(finishedAt));
    }
}

void Metrics::recordAction(std::string_view kind, ActionResult result) {
    const std::lock_guard lock(state_->mutex);
    auto found = state_->actionKinds.find(kind);
    if (found == state_->actionKinds.end()) {
        std::array<Counter*, kResults.size()> counters{};
        for (std::size_t i = 0; i < kResults.size(); ++i) {
            counters[i] = &state_->actions.Add(
                {{"kind", std::string(kind)}, {"result", std::string(toString(kResults[i]))}});
        }
        found = state_->actionKinds.emplace(std::string(kind), counters).first;
    }
    found->second[std::size_t(result)]->Increment();
}

void Metrics::recordActionRetry() {
    const std::lock_guard lock(state_->mutex);
    state_->retriesTotal.Increment();
}

void Metrics::setActionsInFlight(std::size_t queued) {
    const std::lock_guard lock(state_->mutex);
    state_->inFlightNow.Set(double(queued));
}

void Metrics::setActionsWaiting(std::size_t waiting) {
    const std::lock_guard lock(state_->mutex);
    state_->waitingNow.Set(double(waiting));
}

void Metrics::setNodes(const std::vector<NodeSample>& nodes) {
    const std::lock_guard lock(state_->mutex);
    State& s = *state_;
    std::set<std::string_view> listed;
    for (const auto& n : nodes) {
        listed.insert(n.name);
    }
    dropMissing(s.nodes, listed);

    for (const auto& n : nodes) {
        auto& series = s.nodes[n.name];
        const Labels base = {
            {"node", n.name}, {"network", n.network}, {"role", n.role}, {"host", n.host}};
        const std::size_t current = conditionIndex(n.condition);
        for (std::size_t i = 0; i < kConditions.size(); ++i) {
            series.condition[i]
                .bind(s.nodeCondition, with(base, "condition", kConditions[i]))
                .Set(i == current ? 1 : 0);
        }
        series.ready.bind(s.nodeReady, base).Set(n.ready ? 1 : 0);
        series.since.bind(s.nodeSince, base).Set(unixSeconds(n.since));
        if (n.blockHeight) {
            series.blockHeight.bind(s.nodeHeight, base).Set(double(*n.blockHeight));
        } else {
            series.blockHeight.reset();
        }
        if (n.peers) {
            series.peers.bind(s.nodePeers, base).Set(double(*n.peers));
        } else {
            series.peers.reset();
        }
        // An empty label is no label in Prometheus; leaving it out keeps the exposition honest.
        series.info.bind(s.nodeInfo, n.region.empty() ? base : with(base, "region", n.region))
            .Set(1);
        series.network = n.network;
        series.height = n.blockHeight;
    }
    s.refreshNetworkHeights();
}

void Metrics::setNetworks(const std::vector<NetworkSample>& networks) {
    const std::lock_guard lock(state_->mutex);
    State& s = *state_;
    std::set<std::string_view> listed;
    for (const auto& n : networks) {
        listed.insert(n.name);
    }
    dropMissing(s.networks, listed);

    for (const auto& n : networks) {
        auto& series = s.networks[n.name];
        const Labels labels = {{"network", n.name}};
        const std::uint64_t quorum = (2 * std::uint64_t(n.validators) + 2) / 3;  // ⌈2n/3⌉
        series.validators.bind(s.networkValidators, labels).Set(n.validators);
        series.online.bind(s.networkOnline, labels).Set(n.validatorsOnline);
        series.quorum.bind(s.networkQuorum, labels).Set(double(quorum));
        series.halted.bind(s.networkHalted, labels).Set(n.rolloutHalted ? 1 : 0);
    }
    s.refreshNetworkHeights();
}

void Metrics::setHosts(const std::vector<HostSample>& hosts) {
    const std::lock_guard lock(state_->mutex);
    State& s = *state_;
    std::set<std::string_view> listed;
    for (const auto& h : hosts) {
        listed.insert(h.name);
    }
    dropMissing(s.hosts, listed);

    for (const auto& h : hosts) {
        auto& series = s.host(h.name);
        const Labels labels = {{"host", h.name}};
        series.circuitOpen.bind(s.hostCircuitOpen, labels).Set(h.circuitOpen ? 1 : 0);
        series.reachable.bind(s.hostReachable, labels).Set(h.reachable ? 1 : 0);
        // Present from the start with zero counts, so rate() over it is defined before the
        // first call.
        series.duration.bind(s.hostDuration, labels, hostApiBuckets());
    }
}

void Metrics::recordHostApiRequest(std::string_view host, std::chrono::duration<double> took) {
    const std::lock_guard lock(state_->mutex);
    state_->host(host)
        .duration.bind(state_->hostDuration, {{"host", std::string(host)}}, hostApiBuckets())
        .Observe(took.count());
}

void Metrics::recordHostApiError(std::string_view host, std::string_view errorKind) {
    const std::lock_guard lock(state_->mutex);
    auto& errors = state_->host(host).errors;
    auto found = errors.find(errorKind);
    if (found == errors.end()) {
        found = errors.emplace(std::string(errorKind), Series<Counter>{}).first;
    }
    found->second
        .bind(state_->hostErrors, {{"host", std::string(host)}, {"kind", std::string(errorKind)}})
        .Increment();
}

void Metrics::setPaused(bool paused) {
    const std::lock_guard lock(state_->mutex);
    state_->pausedNow.Set(paused ? 1 : 0);
}

std::string Metrics::scrape() const {
    std::vector<prometheus::MetricFamily> families;
    {
        // Collect() copies every value: the lock covers the copy, not the text that follows.
        const std::lock_guard lock(state_->mutex);
        families = state_->registry.Collect();
    }
    // Families keep their series in hash order; sorted, a scrape reads (and diffs) well.
    for (auto& family : families) {
        std::sort(family.metric.begin(), family.metric.end(), byLabels);
    }
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace chainvisor::observe
