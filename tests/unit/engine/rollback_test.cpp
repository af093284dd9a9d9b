// A node that fails its health gate after a change: the chain rolls its container back to the
// chain's snapshot under a journal intent, the node is Failed/HealthGateFailed, and the network's
// rollout halts until its spec changes.
#include <catch2/catch.hpp>

#include "chain_fixture.h"
#include "engine/chain.h"
#include "engine/reconciler.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;
using Catch::Contains;
using plan::ActionKind;
using plan::Disruption;

namespace {

const std::string kGateError =
    "health gate (ready, ≥1 peers, height rising, own seal) not passed "
    "within 600s: not ready: readiness DOWN";

plan::Action action(ActionKind kind, Disruption disruption = Disruption::Restart) {
    return chainAction(kind, disruption, "version 24.1.0 → 24.3.0");
}

plan::Action snapshot(std::string name) {
    auto a = action(ActionKind::SnapshotContainer);
    a.snapshot = std::move(name);
    return a;
}

plan::Action install() {
    auto a = action(ActionKind::InstallSoftware, Disruption::None);
    a.version = spec::Version::parse("24.3.0");
    return a;
}

// val1 of a one-validator cluster, running 24.1.0.
struct RunningFixture : ChainFixture {
    RunningFixture() {
        FakeContainer c;
        c.vmid = 101;
        c.power = plan::PowerState::Running;
        c.owner = plan::OwnerMarker{"test", "val1"};
        c.inside.service = plan::ServiceState::Active;
        c.inside.version = spec::Version::parse("24.1.0");
        world.putContainer("local", c);
    }
};

bool hasWaiting(const plan::Plan& plan, const std::string& node, const std::string& reason) {
    return std::any_of(plan.waiting.begin(), plan.waiting.end(), [&](const plan::Waiting& w) {
        return w.node == node && w.reason == reason;
    });
}

bool hasDisruptiveAction(const plan::Plan& plan, const std::string& node) {
    return std::any_of(plan.actions.begin(), plan.actions.end(), [&](const plan::Action& a) {
        return a.node == node && a.disruption >= Disruption::Restart;
    });
}

}  // namespace

TEST_CASE("a failed health gate rolls the container back to the chain's snapshot",
          "[rollback][chain]") {
    struct Row {
        const char* name;
        std::vector<std::string> snapshots;  // taken before the change, in order
        std::string rolledBackTo;
    };
    const std::vector<Row> rows = {
        {"one snapshot", {"cv-20260101-000000"}, "cv-20260101-000000"},
        {"the last of several", {"cv-a", "cv-b"}, "cv-b"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        RunningFixture f;
        f.world.fail("local", "perform:health-gate", 101, 1, hosts::ErrorKind::Unhealthy,
                     kGateError);
        std::vector<plan::Action> actions;
        for (const auto& name : row.snapshots) {
            actions.push_back(snapshot(name));
        }
        actions.push_back(install());
        actions.push_back(action(ActionKind::RestartService));
        actions.push_back(action(ActionKind::AwaitHealthy));
        const auto outcome = f.run(actions);

        REQUIRE(outcome.error);
        CHECK(outcome.error->kind == hosts::ErrorKind::Unhealthy);
        CHECK(outcome.error->message == kGateError);
        CHECK(outcome.completed == actions.size() - 1);
        CHECK_THAT(outcome.failedAction, Catch::StartsWith("health-gate (vmid 101 on local)"));
        CHECK(outcome.rolledBackTo == row.rolledBackTo);
        CHECK(outcome.rollbackError.empty());

        // Rolled back, then started again, each once, after the gate.
        auto ops = f.ops();
        REQUIRE(ops.size() >= 3);
        CHECK(std::vector<std::string>(ops.end() - 3, ops.end()) ==
              std::vector<std::string>{"perform:health-gate", "rollback", "start"});
        CHECK(f.world.calls("local", "rollback", 101) == 1);
        for (const auto& call : f.world.callLog()) {
            if (call.op == "rollback" || call.op == "start") {
                CHECK(call.openIntents == 1);  // under its own journal intent
            }
        }
        CHECK(openIntents(f.dir.path()) == 0);
        CHECK(f.world.container("local", 101)->power == plan::PowerState::Running);
    }
}

TEST_CASE("without a snapshot a failed health gate is not rolled back", "[rollback][chain]") {
    RunningFixture f;
    f.world.fail("local", "perform:health-gate", 101, 1, hosts::ErrorKind::Unhealthy, kGateError);
    const auto outcome =
        f.run({install(), action(ActionKind::RestartService), action(ActionKind::AwaitHealthy)});
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == hosts::ErrorKind::Unhealthy);
    CHECK_FALSE(outcome.rolledBackTo);
    CHECK(outcome.rollbackError ==
          "no snapshot to roll back to (policy.snapshotBeforeDisruptive is off)");
    CHECK(f.world.calls("local", "rollback") == 0);
    CHECK(f.world.calls("local", "start") == 0);
}

TEST_CASE("a rollback that fails is said in the outcome, its intent closed", "[rollback][chain]") {
    RunningFixture f;
    f.world.fail("local", "perform:health-gate", 101, 1, hosts::ErrorKind::Unhealthy, kGateError);
    f.world.fail("local", "rollback", 101, 1, hosts::ErrorKind::Transient,
                 "CT 101 is locked (snapshot)");
    const auto outcome = f.run({snapshot("cv-1"), install(), action(ActionKind::RestartService),
                                action(ActionKind::AwaitHealthy)});
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == hosts::ErrorKind::Unhealthy);  // the gate's error stays
    CHECK_FALSE(outcome.rolledBackTo);
    CHECK(outcome.rollbackError == "CT 101 is locked (snapshot)");
    CHECK(f.world.calls("local", "start") == 0);
    CHECK(openIntents(f.dir.path()) == 0);
}

TEST_CASE("only a failed health gate rolls back", "[rollback][chain]") {
    for (const auto kind : {hosts::ErrorKind::Transient, hosts::ErrorKind::Permanent}) {
        RunningFixture f;
        f.world.fail("local", "perform:health-gate", 101, 1, kind, "probe failed");
        const auto outcome = f.run({snapshot("cv-1"), install(), action(ActionKind::RestartService),
                                    action(ActionKind::AwaitHealthy)});
        REQUIRE(outcome.error);
        CHECK(outcome.error->kind == kind);
        CHECK_FALSE(outcome.rolledBackTo);
        CHECK(outcome.rollbackError.empty());
        CHECK(f.world.calls("local", "rollback") == 0);
    }
}

TEST_CASE("an upgrade that fails its health gate halts the rollout until the spec changes",
          "[rollback][reconciler]") {
    auto spec = makeCluster(4);
    Harness h(spec);
    REQUIRE(h.converge() > 0);
    h.world.watchJournal(h.stateDir.path().string());

    spec.networks[0].version = *spec::Version::parse("24.3.0");
    h.reconciler.setSpec(spec);
    h.world.fail("local", "perform:health-gate", 0, 1, hosts::ErrorKind::Unhealthy, kGateError);
    REQUIRE(h.pass() == 1);  // one validator at a time

    // Which validator went first: the one rolled back.
    const auto halts = h.eventsOf("RolloutHalted");
    REQUIRE(halts.size() == 1);
    const std::string failed = halts[0].node;
    const spec::Node* failedNode = h.reconciler.spec().findNode(failed);
    REQUIRE(failedNode != nullptr);
    const int vmid = failedNode->vmid;
    const std::string why = "rollout of devnet halted: " + failed +
                            " failed its health gate after a change (rolled back); change the "
                            "spec to go on";
    CHECK(halts[0].message == why);

    // Rolled back to the snapshot its chain took, under a journal intent.
    const auto container = h.world.container("local", vmid);
    REQUIRE(container);
    REQUIRE(container->snapshots.size() == 1);
    CHECK(h.world.calls("local", "rollback", vmid) == 1);
    for (const auto& call : h.world.callLog()) {
        if (call.op == "rollback") {
            CHECK(call.vmid == vmid);
            CHECK(call.openIntents == 1);
        }
    }
    CHECK(openIntents(h.stateDir.path()) == 0);

    const NodeStatus& status = h.status(failed);
    CHECK(status.condition.type == ConditionType::Failed);
    CHECK(status.condition.reason == "HealthGateFailed");
    CHECK_THAT(status.condition.message, Contains(kGateError));
    CHECK_THAT(status.condition.message,
               Contains("; rolled back to snapshot " + container->snapshots[0]));
    CHECK(status.permanentFailure);
    REQUIRE(h.reconciler.haltedNetworks().contains("devnet"));
    CHECK(h.reconciler.haltedNetworks().at("devnet") == why);

    // The next passes disrupt no other validator: each waits with the halt's reason.
    for (int i = 0; i < 3; ++i) {
        h.pass();
        const auto& plan = h.reconciler.lastPlan();
        for (const auto& other : spec.nodes) {
            if (other.name == failed) {
                continue;
            }
            INFO(other.name);
            CHECK(hasWaiting(plan, other.name, why));
            CHECK_FALSE(hasDisruptiveAction(plan, other.name));
        }
        CHECK(h.reconciler.networks().at("devnet").halted == why);
    }
    CHECK(h.world.calls("local", "perform:health-gate") == 1);
    CHECK(h.world.calls("local", "perform:restart-service") == 1);

    // The same spec again changes nothing.
    h.reconciler.setSpec(spec);
    CHECK(h.reconciler.haltedNetworks().contains("devnet"));

    // Another version: the halt is lifted and the rollout goes on, the failed node included.
    spec.networks[0].version = *spec::Version::parse("24.3.1");
    h.reconciler.setSpec(spec);
    CHECK(h.reconciler.haltedNetworks().empty());
    CHECK(h.eventCount("RolloutResumed") == 1);
    CHECK_FALSE(h.status(failed).permanentFailure);
    REQUIRE(h.converge(200) > 0);
    for (const auto& node : spec.nodes) {
        INFO(node.name);
        CHECK(h.status(node.name).condition.type == ConditionType::Ready);
        CHECK(h.world.container("local", node.vmid)->inside.version ==
              spec::Version::parse("24.3.1"));
    }
    CHECK(h.world.calls("local", "rollback") == 1);
}

TEST_CASE("without snapshots the halted node is said not to be rolled back",
          "[rollback][reconciler]") {
    auto spec = makeCluster(4);
    spec.policy.snapshotBeforeDisruptive = false;
    Harness h(spec);
    REQUIRE(h.converge() > 0);

    spec.networks[0].version = *spec::Version::parse("24.3.0");
    h.reconciler.setSpec(spec);
    h.world.fail("local", "perform:health-gate", 0, 1, hosts::ErrorKind::Unhealthy, kGateError);
    REQUIRE(h.pass() == 1);
    const auto halts = h.eventsOf("RolloutHalted");
    REQUIRE(halts.size() == 1);
    const std::string failed = halts[0].node;
    CHECK(halts[0].message == "rollout of devnet halted: " + failed +
                                  " failed its health gate after a change (not rolled back); "
                                  "change the spec to go on");
    CHECK(h.world.calls("local", "rollback") == 0);
    CHECK(h.world.calls("local", "snapshot") == 0);
    const auto& c = h.status(failed).condition;
    CHECK(c.type == ConditionType::Failed);
    CHECK(c.reason == "HealthGateFailed");
    CHECK_THAT(c.message, Contains("; not rolled back: no snapshot to roll back to "
                                   "(policy.snapshotBeforeDisruptive is off)"));
}

TEST_CASE("a change of one of its nodes lifts a network's halt too", "[rollback][reconciler]") {
    auto spec = makeCluster(4);
    Harness h(spec);
    REQUIRE(h.converge() > 0);
    spec.networks[0].version = *spec::Version::parse("24.3.0");
    h.reconciler.setSpec(spec);
    h.world.fail("local", "perform:health-gate", 0, 1, hosts::ErrorKind::Unhealthy, kGateError);
    REQUIRE(h.pass() == 1);
    REQUIRE(h.reconciler.haltedNetworks().contains("devnet"));

    node(spec, "val2").resources.memoryMiB = 4096;
    h.reconciler.setSpec(spec);
    CHECK(h.reconciler.haltedNetworks().empty());
    CHECK(h.eventCount("RolloutResumed") == 1);
}
