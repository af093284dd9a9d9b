#include "metrics_feed.h"

#include <chrono>
#include <map>

namespace chainvisor::daemon {

void MetricsFeed::passDone(const engine::PassReport& report) {
    const auto& spec = reconciler_.spec();
    const auto& statuses = reconciler_.nodes();
    std::vector<observe::NodeSample> nodes;
    std::map<std::string, observe::NetworkSample> networks;
    for (const auto& network : spec.networks) {
        networks[network.name].name = network.name;
    }
    for (const auto& node : spec.nodes) {
        auto it = statuses.find(node.name);
        if (it == statuses.end()) {
            continue;
        }
        const engine::NodeStatus& status = it->second;
        observe::NodeSample sample;
        sample.name = node.name;
        sample.network = node.network;
        sample.role = std::string(spec::toString(node.role));
        sample.host = node.host;
        if (auto region = node.labels.find("region"); region != node.labels.end()) {
            sample.region = region->second;
        }
        sample.condition = std::string(engine::toString(status.condition.type));
        sample.since = status.condition.since;
        sample.ready = status.condition.type == engine::ConditionType::Ready;
        sample.blockHeight = status.height;
        sample.peers = status.peers;
        nodes.push_back(std::move(sample));
    }
    for (const auto& [name, status] : reconciler_.networks()) {
        auto& network = networks[name];
        network.name = name;
        network.validators = static_cast<std::uint32_t>(status.validators);
        network.validatorsOnline = static_cast<std::uint32_t>(status.validatorsOnline);
        network.rolloutHalted = !status.halted.empty();
    }
    std::vector<observe::NetworkSample> networkSamples;
    for (auto& [name, sample] : networks) {
        networkSamples.push_back(std::move(sample));
    }
    std::vector<observe::HostSample> hosts;
    for (const auto& [name, reachable] : report.hostsReachable) {
        hosts.push_back(observe::HostSample{name, reachable, circuitOpen_ && circuitOpen_(name)});
    }

    metrics_.recordReconcilePass(std::chrono::duration<double>(report.took), true,
                                 std::chrono::system_clock::now());
    metrics_.setNodes(nodes);
    metrics_.setNetworks(networkSamples);
    metrics_.setHosts(hosts);
    metrics_.setPaused(reconciler_.pausedAll());
    metrics_.setActionsInFlight(static_cast<std::size_t>(loop_.chainsRunning()));
    metrics_.setActionsWaiting(reconciler_.lastPlan().waiting.size());
}

void MetricsFeed::chainDone(const engine::Chain& chain, const engine::ChainOutcome& outcome) {
    for (std::size_t i = 0; i < outcome.completed && i < chain.actions.size(); ++i) {
        metrics_.recordAction(plan::toString(chain.actions[i].kind),
                              observe::ActionResult::Succeeded);
    }
    if (outcome.error && outcome.completed < chain.actions.size()) {
        // A failed health gate is not retried either: it halts the rollout.
        const bool permanent = outcome.error->kind != hosts::ErrorKind::Transient;
        metrics_.recordAction(plan::toString(chain.actions[outcome.completed].kind),
                              permanent ? observe::ActionResult::FailedPermanent
                                        : observe::ActionResult::FailedTransient);
        if (!permanent) {
            metrics_.recordActionRetry();  // a transient failure is always retried
        }
    }
    metrics_.setActionsInFlight(static_cast<std::size_t>(loop_.chainsRunning()));
}

}  // namespace chainvisor::daemon
