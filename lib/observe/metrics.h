// chainvisord's Prometheus metrics: every family lives here, behind plain methods the daemon
// calls. Thread-safe: the io thread reports passes and fleet snapshots while the blocking pool
// reports host API calls, and a scrape never sees half of a snapshot.
//
// Per-node labels are node, network, role and host. Other node labels (region, and any future
// one) are not copied onto every series: chainvisor_node_info{node,…,region} 1 carries them
// once, and queries join on `node` (… * on(node) group_left(region) chainvisor_node_info).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "observe/fleet_sample.h"

namespace chainvisor::observe {

enum class ActionResult {
    Succeeded,
    FailedTransient,  // will be retried
    FailedPermanent,  // needs an operator or a spec change
};

std::string_view toString(ActionResult result);

class Metrics {
public:
    // chainvisor_build_info{version,revision} 1.
    Metrics(std::string_view version, std::string_view revision);
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // One reconcile pass ended. `finishedAt` comes from the daemon's clock: a success sets
    // chainvisor_reconcile_last_success_timestamp_seconds to it.
    void recordReconcilePass(std::chrono::duration<double> took, bool succeeded,
                             std::chrono::system_clock::time_point finishedAt);

    // `kind` is an action kind (a small fixed set: create, start, …); the first use of a kind
    // makes its three result series at 0, so rate() sees the first failure.
    void recordAction(std::string_view kind, ActionResult result);
    void recordActionRetry();
    void setActionsInFlight(std::size_t queued);  // the work queue's depth
    void setActionsWaiting(std::size_t waiting);  // planned, waiting for a budget

    // Full snapshots, each diffed against the previous call: series of nodes, networks and
    // hosts that are no longer listed are removed. Names are unique within a list.
    void setNodes(const std::vector<NodeSample>& nodes);
    void setNetworks(const std::vector<NetworkSample>& networks);
    void setHosts(const std::vector<HostSample>& hosts);

    // One call to a host's API (Proxmox REST or SSH). `errorKind` is a small fixed set too
    // (timeout, connect, auth, http_5xx, …). A host not in the last setHosts snapshot gets
    // series until the next snapshot drops them.
    void recordHostApiRequest(std::string_view host, std::chrono::duration<double> took);
    void recordHostApiError(std::string_view host, std::string_view errorKind);

    void setPaused(bool paused);  // the whole cluster

    // The text exposition format (version 0.0.4) of every series.
    std::string scrape() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace chainvisor::observe
