// Test helpers: spec::Cluster values built in C++ (no YAML) and the observed world that matches
// them exactly, to mutate into the situation a test needs.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "plan/observed.h"
#include "plan/planner.h"
#include "spec/cluster.h"

namespace chainvisor::plan::testing {

// A fixed "now" (2026-03-14 10:15:00 UTC) and offsets from it.
TimePoint fixedNow();
inline TimePoint fixedNow(std::chrono::seconds offset) {
    return fixedNow() + offset;
}

spec::Version version(const char* text);

// An empty cluster "lab" whose policy lets concurrency stay out of the way (global 100).
spec::Cluster makeCluster(std::string name = "lab");
// A Proxmox host (pveNodes given) or a local host (none), with a generous slot limit.
spec::Host& addHost(spec::Cluster& cluster, std::string name,
                    std::vector<std::string> pveNodes = {}, int maxConcurrent = 10);
spec::Network& addNetwork(spec::Cluster& cluster, std::string name, std::string version = "24.3.0",
                          int budget = 1, spec::NetworkKind kind = spec::NetworkKind::Besu);
// A running node with resolved fields: hostname = name, ip 10.<net>.0.<vmid % 250>/24,
// gateway .1, bridge vmbr0, 2 cores/4096 MiB/512 MiB swap/16 GiB, ports 30303/8545/9545.
// pveNode: the host's first Proxmox node unless given.
spec::Node& addNode(spec::Cluster& cluster, std::string name, std::string network, spec::Role role,
                    std::string host, int vmid, std::string pveNode = "");

// Host "pve1" (Proxmox node "pve1"), network devnet (24.3.0, budget 1) with `validators`
// validators val1… (vmid 101…), then sentries sentry1… (201…) and rpc nodes rpc1… (301…).
spec::Cluster devnet(int validators = 4, int sentries = 0, int rpcs = 0);

// What a converged world looks like: every non-absent node's container exists, owned, configured
// as the spec says, running or stopped as desired, its service Active (Inactive when stopped) and
// Ready, the network's version installed and the desired config fingerprint written.
Observed converged(const spec::Cluster& cluster);

ObservedContainer makeContainer(const spec::Cluster& cluster, const spec::Node& node);
ObservedNode makeInside(const spec::Cluster& cluster, const spec::Node& node);

// The container of spec node `name` in `world` (fails the test when there is none).
ObservedContainer& containerOf(Observed& world, const spec::Cluster& cluster,
                               const std::string& name);
// Marks every observed node's config as written for the spec as it is now (after a test changed
// something that every peer's config mentions).
void refreshFingerprints(Observed& world, const spec::Cluster& cluster);
void removeContainer(Observed& world, const spec::Cluster& cluster, const std::string& name);
spec::Node& nodeOf(spec::Cluster& cluster, const std::string& name);

// Plan views for assertions.
std::vector<ActionKind> kindsOf(const Plan& plan, const std::string& node);
std::vector<const Action*> actionsOf(const Plan& plan, const std::string& node);
// Nodes in the order their first action appears.
std::vector<std::string> nodesInOrder(const Plan& plan);
// The reason `node` waits; "" when it does not.
std::string waitingReason(const Plan& plan, const std::string& node);
std::vector<std::string> noticesOf(const Plan& plan, const std::string& node);

}  // namespace chainvisor::plan::testing

namespace Catch {
// Readable failure messages for action kinds and disruption classes.
template <>
struct StringMaker<chainvisor::plan::ActionKind> {
    static std::string convert(chainvisor::plan::ActionKind kind) {
        return std::string(chainvisor::plan::toString(kind));
    }
};
template <>
struct StringMaker<chainvisor::plan::Plan> {
    static std::string convert(const chainvisor::plan::Plan& plan) {
        return "\n" + chainvisor::plan::formatPlan(plan);
    }
};
template <>
struct StringMaker<chainvisor::plan::Disruption> {
    static std::string convert(chainvisor::plan::Disruption disruption) {
        return std::string(chainvisor::plan::toString(disruption));
    }
};
}  // namespace Catch
