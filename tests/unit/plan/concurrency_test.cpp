// Concurrency slots (per Proxmox node and global), operations in flight, and priority order.
#include "builder.h"

namespace chainvisor::plan {
namespace {

using namespace testing;
using AK = ActionKind;
using Kinds = std::vector<ActionKind>;
using Names = std::vector<std::string>;

TEST_CASE("concurrency: at most maxConcurrentOperations nodes per host", "[plan][concurrency]") {
    spec::Cluster cluster = devnet(4);
    cluster.hosts[0].maxConcurrentOperations = 2;
    Observed world = emptyWorld(cluster);

    SECTION("the first two in spec order") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val1", "val2"});
        CHECK(p.actions.size() == 10);  // whole sequences, never part of one
        CHECK(waitingReason(p, "val3") == "host pve1 busy (2 of 2 operations)");
        CHECK(waitingReason(p, "val4") == "host pve1 busy (2 of 2 operations)");
    }
    SECTION("an operation in flight holds a slot") {
        world.nodes["val1"].name = "val1";
        world.nodes["val1"].operationInFlight = true;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val2"});
        CHECK(waitingReason(p, "val1") == "operation in progress");
        CHECK(waitingReason(p, "val3") == "host pve1 busy (2 of 2 operations)");
    }
    SECTION("an in-flight node that matches its spec still holds a slot") {
        Observed converged2 = converged(cluster);
        converged2.nodes["val1"].operationInFlight = true;
        converged2.nodes["val2"].operationInFlight = true;
        converged2.nodes["val3"].service = ServiceState::Failed;
        const Plan p = plan(cluster, converged2, fixedNow());
        CHECK(p.actions.empty());
        CHECK(waitingReason(p, "val3") == "host pve1 busy (2 of 2 operations)");
        CHECK(waitingReason(p, "val1").empty());
    }
}

TEST_CASE("concurrency: slots are per Proxmox node", "[plan][concurrency]") {
    spec::Cluster cluster = makeCluster();
    addHost(cluster, "pvc", {"pve1", "pve2"}, 1);
    addNetwork(cluster, "devnet");
    addNode(cluster, "a1", "devnet", spec::Role::Sentry, "pvc", 101, "pve1");
    addNode(cluster, "a2", "devnet", spec::Role::Sentry, "pvc", 102, "pve1");
    addNode(cluster, "b1", "devnet", spec::Role::Sentry, "pvc", 103, "pve2");

    const Plan p = plan(cluster, emptyWorld(cluster), fixedNow());

    CHECK(nodesInOrder(p) == Names{"a1", "b1"});
    CHECK(waitingReason(p, "a2") == "host pvc/pve1 busy (1 of 1 operations)");
}

TEST_CASE("concurrency: a global limit across hosts, counting operations in flight",
          "[plan][concurrency]") {
    spec::Cluster cluster = makeCluster();
    cluster.policy.budgets.globalConcurrent = 3;
    addHost(cluster, "h1");
    addHost(cluster, "h2");
    addNetwork(cluster, "devnet");
    for (int i = 1; i <= 3; ++i) {
        addNode(cluster, "a" + std::to_string(i), "devnet", spec::Role::Rpc, "h1", 100 + i);
        addNode(cluster, "b" + std::to_string(i), "devnet", spec::Role::Rpc, "h2", 200 + i);
    }
    Observed world = emptyWorld(cluster);

    SECTION("spec order across hosts") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"a1", "b1", "a2"});
        CHECK(waitingReason(p, "b2") == "global concurrency limit reached (3 of 3 operations)");
    }
    SECTION("an in-flight operation of a node no longer anywhere still counts") {
        world.nodes["ghost"].operationInFlight = true;
        world.nodes["b1"].operationInFlight = true;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"a1"});
        CHECK(waitingReason(p, "a2") == "global concurrency limit reached (3 of 3 operations)");
    }
}

TEST_CASE("concurrency: restores first, then creates, then changes, then disruptive",
          "[plan][concurrency][priority]") {
    spec::Cluster cluster = devnet(0, 5);
    Observed world = converged(cluster);
    world.nodes["sentry1"].version = version("24.1.0");                  // disruptive
    nodeOf(cluster, "sentry2").resources.memoryMiB = 8192;               // change
    removeContainer(world, cluster, "sentry3");                          // create
    world.nodes["sentry4"].service = ServiceState::Failed;               // restore
    containerOf(world, cluster, "sentry5").power = PowerState::Stopped;  // restore

    SECTION("all admitted: listed in priority order") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"sentry4", "sentry5", "sentry3", "sentry2", "sentry1"});
    }
    SECTION("three slots: the disruptive and the change wait") {
        cluster.hosts[0].maxConcurrentOperations = 3;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"sentry4", "sentry5", "sentry3"});
        CHECK(waitingReason(p, "sentry2") == "host pve1 busy (3 of 3 operations)");
        CHECK(waitingReason(p, "sentry1") == "host pve1 busy (3 of 3 operations)");
        // Waiting entries are listed in spec order.
        REQUIRE(p.waiting.size() == 2);
        CHECK(p.waiting[0].node == "sentry1");
    }
}

}  // namespace
}  // namespace chainvisor::plan
