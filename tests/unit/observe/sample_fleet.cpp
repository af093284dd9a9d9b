#include "sample_fleet.h"

#include <vector>

namespace chainvisor::observe::test {

namespace {

using namespace std::chrono_literals;

NodeSample node(std::string name, std::string network, std::string role, std::string host,
                std::string region, std::string condition, bool ready,
                std::optional<std::uint64_t> height, std::optional<std::uint32_t> peers) {
    NodeSample n;
    n.name = std::move(name);
    n.network = std::move(network);
    n.role = std::move(role);
    n.host = std::move(host);
    n.region = std::move(region);
    n.condition = std::move(condition);
    n.since = kSampleNow - 10min;
    n.ready = ready;
    n.blockHeight = height;
    n.peers = peers;
    return n;
}

}  // namespace

void populateSampleFleet(Metrics& metrics) {
    metrics.setNodes({
        node("qbft-val-1", "qbft-devnet", "validator", "pve-a", "", "Ready", true, 1200, 4),
        node("qbft-val-2", "qbft-devnet", "validator", "pve-a", "", "Ready", true, 1200, 4),
        node("qbft-val-3", "qbft-devnet", "validator", "pve-b", "", "Degraded", false, 1180, 1),
        node("qbft-val-4", "qbft-devnet", "validator", "pve-b", "", "Unknown", false, {}, {}),
        node("qbft-sentry", "qbft-devnet", "sentry", "pve-a", "", "Progressing", false, 900, 2),
        node("qbft-rpc", "qbft-devnet", "rpc", "pve-a", "", "Paused", false, 1199, 3),
        node("bitcell-use-1", "bitcell-main", "validator", "local", "us-east", "Ready", true, 88,
             1),
        node("bitcell-euc-1", "bitcell-main", "validator", "local", "eu-central", "Failed", false,
             80, 0),
        node("bitcell-miner", "bitcell-main", "miner", "local", "eu-central", "Ready", true, 88, 1),
        node("explorer", "bitcell-main", "full", "local", "", "Ready", true, {}, {}),
    });
    metrics.setNetworks({
        {"qbft-devnet", 4, 2, false},
        {"bitcell-main", 2, 1, true},
    });
    metrics.setHosts({
        {"pve-a", true, false},
        {"pve-b", false, true},
        {"local", true, false},
    });

    metrics.recordReconcilePass(12ms, true, kSampleNow - 1min);
    metrics.recordReconcilePass(1.5s, false, kSampleNow - 30s);
    metrics.recordReconcilePass(40ms, true, kSampleNow);

    metrics.recordAction("create_container", ActionResult::Succeeded);
    metrics.recordAction("start_container", ActionResult::FailedTransient);
    metrics.recordAction("start_container", ActionResult::Succeeded);
    metrics.recordAction("install_version", ActionResult::FailedPermanent);
    metrics.recordActionRetry();
    metrics.setActionsInFlight(2);
    metrics.setActionsWaiting(1);

    metrics.recordHostApiRequest("pve-a", 12ms);
    metrics.recordHostApiRequest("pve-a", 310ms);
    metrics.recordHostApiRequest("pve-b", 30s);
    metrics.recordHostApiError("pve-b", "timeout");
    metrics.recordHostApiError("pve-b", "connect");

    metrics.setPaused(false);
}

}  // namespace chainvisor::observe::test
