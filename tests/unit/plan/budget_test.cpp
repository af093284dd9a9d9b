// Validator budgets, quorum and the rolling order (sentries and RPC nodes before validators).
#include "builder.h"

namespace chainvisor::plan {
namespace {

using namespace testing;
using AK = ActionKind;
using Kinds = std::vector<ActionKind>;
using Names = std::vector<std::string>;

const Kinds kUpgrade{AK::SnapshotContainer, AK::InstallSoftware, AK::RestartService,
                     AK::AwaitHealthy};

// Every node of the cluster runs 24.1.0 while the spec says 24.3.0.
void everyoneOutdated(Observed& world) {
    for (auto& [name, inside] : world.nodes) {
        inside.version = version("24.1.0");
    }
}

TEST_CASE("budget: one validator at a time with a budget of 1", "[plan][budget]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    everyoneOutdated(world);

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(nodesInOrder(p) == Names{"val1"});
    CHECK(kindsOf(p, "val1") == kUpgrade);
    for (const char* name : {"val2", "val3", "val4"}) {
        CHECK(waitingReason(p, name) ==
              "validator budget of devnet used: val1 disrupted by this plan (1 of 1)");
    }
}

TEST_CASE("budget: already-down validators use the budget", "[plan][budget]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    everyoneOutdated(world);

    SECTION("a stopped container is restored, the others wait") {
        containerOf(world, cluster, "val2").power = PowerState::Stopped;
        world.nodes["val2"].service = ServiceState::Inactive;
        const Plan p = plan(cluster, world, fixedNow());
        // The restore also brings val2 to the new version: it was down, nothing more is lost.
        CHECK(kindsOf(p, "val2") ==
              Kinds{AK::StartContainer, AK::InstallSoftware, AK::StartService});
        CHECK(actionsOf(p, "val2")[0]->disruption == Disruption::None);
        CHECK(nodesInOrder(p) == Names{"val2"});
        CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val2 down (1 of 1)");
        CHECK(waitingReason(p, "val3") == "validator budget of devnet used: val2 down (1 of 1)");
    }
    SECTION("a not-ready validator may be restarted without budget; the up ones wait") {
        world.nodes["val3"].health = Health::NotReady;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val3"});
        CHECK(kindsOf(p, "val3") == kUpgrade);
        CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val3 down (1 of 1)");
    }
    SECTION("a failed service counts as down") {
        world.nodes["val4"].service = ServiceState::Failed;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val4") == Kinds{AK::InstallSoftware, AK::RestartService});
        CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val4 down (1 of 1)");
    }
    SECTION("unknown health counts as down: a node is up once its probes say so") {
        // A validator made again from scratch, still syncing, must not let a second one go.
        world.nodes["val4"].health = Health::Unknown;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val4"});
        CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val4 down (1 of 1)");
    }
    SECTION("an unknown service counts as down") {
        world.nodes["val4"].service = ServiceState::Unknown;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val4"});
        CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val4 down (1 of 1)");
    }
}

TEST_CASE("budget: a budget of 2 with 7 validators, the configured value is clamped to f",
          "[plan][budget]") {
    spec::Cluster cluster = devnet(7);
    cluster.networks[0].validatorsDisrupted = 2;
    Observed world = converged(cluster);
    everyoneOutdated(world);

    SECTION("two at once") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val1", "val2"});
        CHECK(waitingReason(p, "val3") ==
              "validator budget of devnet used: val1, val2 disrupted by this plan (2 of 2)");
    }
    SECTION("one down leaves one") {
        world.nodes["val7"].health = Health::NotReady;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val1", "val7"});
        CHECK(waitingReason(p, "val2") ==
              "validator budget of devnet used: val7 down, val1 disrupted by this plan (2 of 2)");
    }
    SECTION("a budget above f is clamped") {
        cluster.networks[0].validatorsDisrupted = 5;  // f(7) = 2
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val1", "val2"});
    }
}

TEST_CASE("budget: with fewer than 4 validators no validator is disrupted, restores still run",
          "[plan][budget]") {
    spec::Cluster cluster = devnet(3, 1);
    Observed world = converged(cluster);
    everyoneOutdated(world);
    world.nodes["sentry1"].version = version("24.3.0");
    containerOf(world, cluster, "val3").power = PowerState::Stopped;
    world.nodes["val3"].service = ServiceState::Inactive;
    nodeOf(cluster, "val2").resources.memoryMiB = 8192;

    const Plan p = plan(cluster, world, fixedNow());

    // val3 is restored (None). val2's upgrade waits, but its live memory change needs no budget
    // and runs now, on its own. val1 waits.
    CHECK(nodesInOrder(p) == Names{"val3", "val2"});
    REQUIRE(kindsOf(p, "val2") == Kinds{AK::UpdateContainer});
    CHECK(actionsOf(p, "val2")[0]->changes ==
          std::vector<FieldChange>{{"memory", "4096", "8192", true}});
    CHECK(actionsOf(p, "val2")[0]->disruption == Disruption::None);
    CHECK(kindsOf(p, "val1").empty());
    CHECK(waitingReason(p, "val1") ==
          "validator budget of devnet is 0 (3 validators tolerate none down)");
    CHECK(waitingReason(p, "val2") ==
          "validator budget of devnet is 0 (3 validators tolerate none down)");
}

TEST_CASE("quorum: below quorum only restoring actions run on that network", "[plan][quorum]") {
    spec::Cluster cluster = devnet(4, 1);
    Observed world = converged(cluster);
    everyoneOutdated(world);
    for (const char* down : {"val3", "val4"}) {
        world.nodes[down].service = ServiceState::Failed;
        world.nodes[down].version = version("24.3.0");
    }

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(nodesInOrder(p) == Names{"val3", "val4"});
    CHECK(kindsOf(p, "val3") == Kinds{AK::RestartService});
    CHECK(actionsOf(p, "val3")[0]->disruption == Disruption::None);
    const std::string reason = "devnet below quorum (2 of 4 up, need 3); only restoring actions";
    CHECK(waitingReason(p, "val1") == reason);
    CHECK(waitingReason(p, "sentry1") == reason);  // not even sentries
}

TEST_CASE("quorum: blind validators count against quorum", "[plan][quorum][blind]") {
    spec::Cluster cluster = devnet(4, 1);
    addHost(cluster, "pve2", {"pve2"});
    nodeOf(cluster, "val3").host = "pve2";
    nodeOf(cluster, "val3").pveNode = "pve2";
    nodeOf(cluster, "val4").host = "pve2";
    nodeOf(cluster, "val4").pveNode = "pve2";
    Observed world = converged(cluster);
    world.hosts["pve2"].reachable = false;
    world.nodes["sentry1"].configFingerprint = "stale";

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(waitingReason(p, "sentry1") ==
          "devnet below quorum (2 of 4 up, need 3); only restoring actions");
    CHECK(waitingReason(p, "val3") == "host pve2 unreachable");
}

TEST_CASE("budget: stopping a validator on purpose uses the budget, and keeps using it",
          "[plan][budget]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    nodeOf(cluster, "val2").state = spec::DesiredState::Stopped;
    world.nodes["val4"].version = version("24.1.0");

    SECTION("while it is being stopped") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val2"});
        CHECK(kindsOf(p, "val2") == Kinds{AK::StopService, AK::StopContainer});
        CHECK(waitingReason(p, "val4") ==
              "validator budget of devnet used: val2 disrupted by this plan (1 of 1)");
    }
    SECTION("once it is stopped") {
        containerOf(world, cluster, "val2").power = PowerState::Stopped;
        world.nodes["val2"].service = ServiceState::Inactive;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(waitingReason(p, "val4") == "validator budget of devnet used: val2 down (1 of 1)");
    }
}

TEST_CASE("budget: destroying an absent validator that is still up uses the budget",
          "[plan][budget]") {
    spec::Cluster cluster = devnet(5);
    cluster.policy.deletion = spec::DeletionPolicy::Delete;
    Observed world = converged(cluster);
    nodeOf(cluster, "val5").state = spec::DesiredState::Absent;
    refreshFingerprints(world, cluster);
    world.nodes["val1"].version = version("24.1.0");

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(nodesInOrder(p) == Names{"val1"});
    CHECK(waitingReason(p, "val5") ==
          "validator budget of devnet used: val1 disrupted by this plan (1 of 1)");
}

TEST_CASE("budget: live changes and non-validators need no validator budget", "[plan][budget]") {
    spec::Cluster cluster = devnet(4, 3);
    Observed world = converged(cluster);
    for (auto& node : cluster.nodes) {
        node.resources.memoryMiB = 8192;
    }
    for (const char* sentry : {"sentry1", "sentry2", "sentry3"}) {
        world.nodes[sentry].version = version("24.1.0");
    }

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(nodesInOrder(p) ==
          Names{"val1", "val2", "val3", "val4", "sentry1", "sentry2", "sentry3"});
    CHECK(kindsOf(p, "val1") == Kinds{AK::UpdateContainer});
    CHECK(kindsOf(p, "sentry1") == Kinds{AK::SnapshotContainer, AK::UpdateContainer,
                                         AK::InstallSoftware, AK::RestartService,
                                         AK::AwaitHealthy});
    CHECK(p.waiting.empty());
}

TEST_CASE("budget: networks have separate budgets, BitCell validators are budgeted too",
          "[plan][budget]") {
    spec::Cluster cluster = devnet(4);
    addNetwork(cluster, "bitnet", "0.3.1", 1, spec::NetworkKind::Bitcell);
    for (int i = 1; i <= 4; ++i) {
        addNode(cluster, "bc" + std::to_string(i), "bitnet", spec::Role::Validator, "pve1",
                500 + i);
    }
    Observed world = converged(cluster);
    for (auto& [name, inside] : world.nodes) {
        inside.version = name.starts_with("bc") ? version("0.3.0") : version("24.1.0");
    }

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(nodesInOrder(p) == Names{"val1", "bc1"});
    CHECK(waitingReason(p, "bc2") ==
          "validator budget of bitnet used: bc1 disrupted by this plan (1 of 1)");
    CHECK(waitingReason(p, "val2") ==
          "validator budget of devnet used: val1 disrupted by this plan (1 of 1)");
}

TEST_CASE("rolling order: sentries and RPC nodes are disrupted before validators",
          "[plan][rolling]") {
    spec::Cluster cluster = devnet(4, 2, 1);
    Observed world = converged(cluster);
    everyoneOutdated(world);

    SECTION("non-validators first") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"sentry1", "sentry2", "rpc1"});
        CHECK(waitingReason(p, "val1") == "waiting for sentries and RPC nodes of devnet first");
        CHECK(waitingReason(p, "val4") == "waiting for sentries and RPC nodes of devnet first");
    }
    SECTION("a sentry waiting for a slot still holds the validators back") {
        cluster.hosts[0].maxConcurrentOperations = 1;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"sentry1"});
        CHECK(waitingReason(p, "sentry2") == "host pve1 busy (1 of 1 operations)");
        CHECK(waitingReason(p, "val1") == "waiting for sentries and RPC nodes of devnet first");
    }
    SECTION("a sentry in backoff still holds the validators back") {
        for (const char* name : {"sentry1", "sentry2", "rpc1"}) {
            world.nodes[name].version = version("24.3.0");
        }
        world.nodes["sentry2"].version = version("24.1.0");
        world.nodes["sentry2"].retryAfter = fixedNow(std::chrono::seconds(10));
        world.nodes["sentry2"].attempts = 2;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(waitingReason(p, "val1") == "waiting for sentries and RPC nodes of devnet first");
    }
    SECTION("an RPC node whose change is still at its health gate holds the validators back") {
        // Its new version is already installed, so by itself it needs nothing more: what holds
        // the validators is that its restart has not yet proved healthy.
        for (const char* name : {"sentry1", "sentry2", "rpc1"}) {
            world.nodes[name].version = version("24.3.0");
        }
        world.nodes["rpc1"].operationInFlight = true;
        world.nodes["rpc1"].disruptionInFlight = true;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(waitingReason(p, "val1") == "waiting for sentries and RPC nodes of devnet first");
        world.nodes["rpc1"].disruptionInFlight = false;  // a restore, say: no reason to wait
        CHECK(nodesInOrder(plan(cluster, world, fixedNow())) == Names{"val1"});
    }
    SECTION("a paused sentry does not hold the validators hostage") {
        for (const char* name : {"sentry1", "rpc1"}) {
            world.nodes[name].version = version("24.3.0");
        }
        world.pausedNodes.insert("sentry2");
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val1"});
        CHECK(waitingReason(p, "sentry2") == "paused");
    }
    SECTION("once the others are done, validators go one at a time") {
        for (const char* name : {"sentry1", "sentry2", "rpc1"}) {
            world.nodes[name].version = version("24.3.0");
        }
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val1"});
    }
    SECTION("restores of validators do not wait for sentries") {
        containerOf(world, cluster, "val3").power = PowerState::Stopped;
        world.nodes["val3"].service = ServiceState::Inactive;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p) == Names{"val3", "sentry1", "sentry2", "rpc1"});
    }
}

}  // namespace
}  // namespace chainvisor::plan
