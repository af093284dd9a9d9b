#include "engine/reconciler.h"

#include <catch2/catch.hpp>

#include "harness.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;
using Catch::Contains;
using std::chrono::seconds;

namespace {

bool allReady(const Harness& h) {
    for (const auto& [name, status] : h.reconciler.nodes()) {
        if (status.condition.type != ConditionType::Ready) {
            UNSCOPED_INFO(name << " is " << toString(status.condition.type) << " ("
                               << status.condition.reason << "): " << status.condition.message);
            return false;
        }
    }
    return true;
}

plan::Action stopAction() {
    plan::Action a;
    a.kind = plan::ActionKind::StopContainer;
    a.node = "val1";
    a.host = "local";
    a.vmid = 101;
    a.disruption = plan::Disruption::Restart;
    a.reason = "cores 2 → 4 (restart)";
    return a;
}

}  // namespace

TEST_CASE("an empty world converges to the spec", "[reconciler]") {
    auto spec = makeCluster(4);
    addNode(spec, "rpc1", spec::Role::Rpc);
    addNode(spec, "spare", spec::Role::Full).state = spec::DesiredState::Stopped;
    Harness h(spec);
    CHECK(h.reconciler.summary() == "6 nodes; waiting for the first observation");
    CHECK(h.status("val1").condition.type == ConditionType::Unknown);

    // Two operations at a time on the host: three passes create six nodes, the fourth is idle.
    CHECK(h.converge() == 4);
    CHECK(allReady(h));
    CHECK(h.status("val1").condition.reason == "Running");
    CHECK(h.status("val1").condition.message == "version 24.1.0");
    CHECK(h.status("spare").condition.reason == "Stopped");
    CHECK(h.world.containersCreated() == 6);
    CHECK(h.world.containerCount("local") == 6);

    auto val1 = h.world.container("local", 101);
    REQUIRE(val1);
    CHECK(val1->power == plan::PowerState::Running);
    CHECK(val1->inside.service == plan::ServiceState::Active);
    CHECK(val1->inside.version == spec::Version::parse("24.1.0"));
    CHECK(val1->inside.configFingerprint ==
          plan::desiredConfigFingerprint(h.reconciler.spec(), node(spec, "val1")));
    CHECK(val1->hostname == "val1");
    CHECK(val1->owner->cluster == "test");
    auto spare = h.world.container("local", 202);
    REQUIRE(spare);
    CHECK(spare->power == plan::PowerState::Stopped);
    // Installs need a running container: a node meant to stay stopped gets its software when it
    // runs.
    CHECK_FALSE(spare->inside.version);

    // Converged: the next passes plan nothing, not even for the stopped node it cannot inspect.
    CHECK(h.pass() == 0);
    CHECK(h.pass() == 0);
    CHECK(h.reconciler.lastPlan().actions.empty());
    CHECK(h.reconciler.lastPlan().waiting.empty());
    CHECK(h.world.calls("local", "perform:install") == 5);
    CHECK(openIntents(h.stateDir.path()) == 0);
    CHECK(h.reconciler.chainsInFlight() == 0);
    CHECK(h.reconciler.summary() == "6 nodes: 6 ready; last pass 1.0s ago");
    CHECK(h.reconciler.summary(false) == "6 nodes: 6 ready");
    CHECK(h.eventCount("ChainStarted") == 6);
    CHECK(h.eventCount("ActionFailed") == 0);
}

TEST_CASE("a transient failure is retried after the backoff, and only then", "[reconciler]") {
    Harness h(makeCluster(1));
    h.world.fail("local", "create", 101, 1, hosts::ErrorKind::Transient, "got timeout");
    const auto t0 = h.clock.now();

    CHECK(h.pass() == 1);
    const NodeStatus& failed = h.status("val1");
    CHECK(failed.attempts == 1);
    REQUIRE(failed.retryAfter);
    CHECK(*failed.retryAfter == t0 + seconds(10));
    CHECK(failed.condition.type == ConditionType::Progressing);
    CHECK(failed.condition.reason == "RetryingAfterError");
    CHECK(failed.condition.message ==
          "create (vmid 101 on local): vmid 101 missing on local: "
          "got timeout");
    CHECK(failed.condition.attempts == 1);
    CHECK(failed.condition.nextRetry == t0 + seconds(10));
    CHECK(h.world.containerCount("local") == 0);
    auto failures = h.eventsOf("ActionFailed", "val1");
    REQUIRE(failures.size() == 1);
    CHECK_THAT(failures[0].message, Contains("attempt 1, retry in 10s"));

    for (int i = 1; i <= 9; ++i) {  // t0+1s … t0+9s
        CHECK(h.pass() == 0);
    }
    CHECK(h.status("val1").condition.reason == "RetryingAfterError");
    CHECK(h.world.calls("local", "create") == 1);

    CHECK(h.clock.now() == t0 + seconds(10));
    CHECK(h.pass() == 1);
    CHECK(h.world.calls("local", "create") == 2);
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    CHECK(h.status("val1").attempts == 0);
    CHECK_FALSE(h.status("val1").retryAfter);
    CHECK(h.world.containersCreated() == 1);
    CHECK(h.world.containerCount("local") == 1);
}

TEST_CASE("a create reported failed that did happen makes no second container", "[reconciler]") {
    Harness h(makeCluster(1));
    h.world.failAfterDoing("local", "create", 101, 1);
    CHECK(h.pass() == 1);
    CHECK(h.status("val1").attempts == 1);
    CHECK(h.world.containerCount("local") == 1);

    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    CHECK(h.world.calls("local", "create") == 1);  // the next pass saw it and started it
    CHECK(h.world.containersCreated() == 1);
    CHECK(h.world.containerCount("local") == 1);
}

TEST_CASE("a repeated create of our own container succeeds without a duplicate", "[fake]") {
    FakeWorld world;
    FakeHost host(world, "local");
    auto spec = makeCluster(1);
    auto container = hosts::containerSpecFor(spec, spec.nodes[0]);
    CHECK(host.create(container).ok());
    CHECK(host.create(container).ok());
    CHECK(world.containersCreated() == 1);
    container.owner.node = "someone-else";
    auto clash = host.create(container);
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.error().kind == hosts::ErrorKind::Permanent);
}

TEST_CASE("a permanent failure stops retries until the node's spec changes", "[reconciler]") {
    auto spec = makeCluster(1);
    Harness h(spec);
    h.world.fail("local", "create", 101, -1, hosts::ErrorKind::Permanent,
                 "storage 'local' does not exist");
    CHECK(h.converge() == 2);
    const NodeStatus& status = h.status("val1");
    CHECK(status.condition.type == ConditionType::Failed);
    CHECK(status.condition.reason == "ActionFailed");
    CHECK_THAT(status.condition.message, Contains("storage 'local' does not exist"));
    CHECK(status.permanentFailure);
    CHECK(status.lastError == status.condition.message);

    for (int i = 0; i < 5; ++i) {
        CHECK(h.pass() == 0);
    }
    CHECK(h.world.calls("local", "create") == 1);

    // The same spec again: still failed.
    h.reconciler.setSpec(spec);
    CHECK(h.pass() == 0);
    CHECK(h.status("val1").condition.type == ConditionType::Failed);

    // A changed node: the mark is gone and it is tried again.
    h.world.clearFailures();
    node(spec, "val1").storage = "local2";
    h.reconciler.setSpec(spec);
    CHECK_FALSE(h.status("val1").permanentFailure);
    CHECK(h.pass() == 1);
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    CHECK(h.world.calls("local", "create") == 2);
}

TEST_CASE("transient failures show Failed after failedAfterAttempts and are still retried",
          "[reconciler]") {
    Harness h(makeCluster(1));  // Failed after 4 attempts; waits 10 s, 20 s, 40 s, then ≤ 80 s ±20%
    h.world.fail("local", "create", 101, -1, hosts::ErrorKind::Transient, "got timeout");
    for (int i = 0; i < 300 && h.world.calls("local", "create") < 3; ++i) {
        h.pass();
    }
    CHECK(h.status("val1").condition.type == ConditionType::Progressing);
    CHECK(h.status("val1").condition.reason == "RetryingAfterError");
    for (int i = 0; i < 300 && h.world.calls("local", "create") < 4; ++i) {
        h.pass();
    }
    const NodeStatus& status = h.status("val1");
    CHECK(status.condition.type == ConditionType::Failed);
    CHECK(status.condition.reason == "RetryingAfterErrors");
    CHECK_THAT(status.condition.message, Contains("got timeout"));
    CHECK(status.condition.attempts == 4);
    REQUIRE(status.condition.nextRetry);
    CHECK_FALSE(status.permanentFailure);

    // Retries go on, never further apart than the backoff's cap with its jitter.
    std::optional<plan::TimePoint> lastCall = h.clock.now();
    std::chrono::milliseconds longestGap{0};
    for (int i = 0; i < 1000 && h.world.calls("local", "create") < 8; ++i) {
        const int before = h.world.calls("local", "create");
        h.pass();
        if (h.world.calls("local", "create") > before) {
            longestGap = std::max(longestGap, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  h.clock.now() - *lastCall));
            lastCall = h.clock.now();
        }
    }
    CHECK(h.world.calls("local", "create") == 8);
    CHECK(longestGap <= std::chrono::milliseconds(96'000 + 1'000));  // 80 s × 1.2, plus one step
    CHECK(longestGap >= std::chrono::milliseconds(64'000));  // 80 s × 0.8: the cap is reached
    CHECK(h.status("val1").condition.type == ConditionType::Failed);

    // The host heals: the next retry succeeds without anyone touching the spec.
    h.world.clearFailures();
    CHECK(h.converge(200) > 0);
    CHECK(allReady(h));
    CHECK(h.status("val1").attempts == 0);
}

TEST_CASE("a blind host's nodes are Unknown and untouched, other hosts proceed", "[reconciler]") {
    Harness h(makeCluster(4, {"a", "b"}));  // a: val1 val3; b: val2 val4
    h.world.setBlind("b", true);
    CHECK(h.converge() > 0);
    CHECK(h.status("val1").condition.type == ConditionType::Ready);
    CHECK(h.status("val3").condition.type == ConditionType::Ready);
    for (const char* name : {"val2", "val4"}) {
        const auto& c = h.status(name).condition;
        CHECK(c.type == ConditionType::Unknown);
        CHECK(c.reason == "HostUnreachable");
        CHECK(c.message == "host b unreachable: connect b: connection refused");
    }
    CHECK(h.world.calls("b", "create") == 0);
    CHECK(h.world.containerCount("b") == 0);
    CHECK(h.reconciler.summary() == "4 nodes: 2 ready, 2 unknown; last pass 1.0s ago");

    h.world.setBlind("b", false);
    CHECK(h.converge() > 0);
    CHECK(allReady(h));

    // Blind again: Unknown, not Failed; nothing is done anywhere because of it.
    h.world.setBlind("b", true);
    CHECK(h.pass() == 0);
    CHECK(h.status("val2").condition.type == ConditionType::Unknown);
    CHECK(h.status("val1").condition.type == ConditionType::Ready);
    CHECK(h.world.calls("b", "create") == 2);
}

TEST_CASE("a paused node is left alone until resumed", "[reconciler]") {
    Harness h(makeCluster(3));
    CHECK(h.reconciler.pause("val2"));
    CHECK_FALSE(h.reconciler.pause("nope"));
    CHECK(h.converge() > 0);
    CHECK(h.status("val2").condition.type == ConditionType::Paused);
    CHECK(h.status("val1").condition.type == ConditionType::Ready);
    CHECK(h.status("val3").condition.type == ConditionType::Ready);
    CHECK_FALSE(h.world.container("local", 102));
    CHECK(h.eventCount("Paused", "val2") == 1);

    CHECK(h.reconciler.resume("val2"));
    CHECK(h.converge() > 0);
    CHECK(allReady(h));

    CHECK(h.reconciler.pause(std::nullopt));
    h.world.setService("local", 101, plan::ServiceState::Failed);
    CHECK(h.pass() == 0);
    for (const auto& [name, status] : h.reconciler.nodes()) {
        CHECK(status.condition.type == ConditionType::Paused);
    }
    CHECK_THAT(h.reconciler.summary(), Contains("3 paused; all paused"));
    CHECK(h.reconciler.resume(std::nullopt));
    CHECK(h.pass() == 1);  // val1's service is restarted
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
}

TEST_CASE("a node in flight never gets a second chain", "[reconciler]") {
    Harness h(makeCluster(1));
    auto chains = h.reconciler.decide(observeAll(h.reconciler.spec(), h.hosts, h.agent));
    REQUIRE(chains.size() == 1);
    CHECK(chains[0].node.name == "val1");
    CHECK(chains[0].actions.front().kind == plan::ActionKind::CreateContainer);
    CHECK(chains[0].actions.back().kind == plan::ActionKind::StartService);

    for (int i = 0; i < 3; ++i) {
        h.clock.advance(seconds(5));
        auto again = h.reconciler.decide(observeAll(h.reconciler.spec(), h.hosts, h.agent));
        CHECK(again.empty());
        // The planner itself was told: it holds the node rather than planning it again.
        CHECK(h.reconciler.lastPlan().actions.empty());
        CHECK(h.reconciler.lastPlan().waiting ==
              std::vector<plan::Waiting>{{"val1", "operation in progress"}});
    }
    const NodeStatus& status = h.status("val1");
    CHECK(status.inFlight);
    CHECK(status.condition.type == ConditionType::Progressing);
    CHECK(status.condition.reason == "Creating");
    CHECK(status.condition.message == "vmid 101 missing on local");
    CHECK(h.reconciler.chainsInFlight() == 1);
    CHECK_THAT(h.reconciler.summary(), Contains("1 running"));

    h.reconciler.complete(runChain(chains[0], h.reconciler.spec(), *h.hosts.at("local"), h.agent,
                                   *h.journal, h.clock));
    CHECK_FALSE(h.status("val1").inFlight);
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    CHECK(h.world.calls("local", "create") == 1);
}

TEST_CASE("an observation taken before a chain ended does not redo its work", "[reconciler]") {
    Harness h(makeCluster(4));
    CHECK(h.converge() > 0);
    h.world.setService("local", 101, plan::ServiceState::Failed);

    const auto first = h.reconciler.observationStarting();
    auto chains = h.reconciler.decide(observeAll(h.reconciler.spec(), h.hosts, h.agent), first);
    REQUIRE(chains.size() == 1);
    CHECK(chains[0].actions.back().kind == plan::ActionKind::RestartService);

    // The next observation starts while the chain still runs, and sees the failed service.
    const auto second = h.reconciler.observationStarting();
    auto stale = observeAll(h.reconciler.spec(), h.hosts, h.agent);
    h.reconciler.complete(runChain(chains[0], h.reconciler.spec(), *h.hosts.at("local"), h.agent,
                                   *h.journal, h.clock));
    CHECK(h.reconciler.decide(std::move(stale), second).empty());
    CHECK(h.world.calls("local", "perform:restart-service") == 1);

    CHECK(h.pass() == 0);
    CHECK(allReady(h));
    CHECK(h.world.calls("local", "perform:restart-service") == 1);
}

TEST_CASE("restarts of validators stay within the network's budget across passes",
          "[reconciler][budget]") {
    const int validators = GENERATE(4, 7);
    const int budget = validators == 4 ? 1 : 2;
    auto spec = makeCluster(validators);
    spec.networks[0].validatorsDisrupted = budget;
    spec.hosts[0].maxConcurrentOperations = 4;
    Harness h(spec);
    CHECK(h.converge() > 0);
    REQUIRE(allReady(h));
    h.world.watchValidators(spec);
    CHECK(h.world.maxValidatorsDown("devnet") == 0);
    h.maxValidatorChainsInFlight = 0;

    for (auto& n : spec.nodes) {
        n.resources.cores = 4;  // needs a container restart
    }
    h.reconciler.setSpec(spec);
    h.stepped = true;  // each chain takes several passes, so chains overlap
    CHECK(h.converge(200) > 0);
    CHECK(allReady(h));
    CHECK(h.world.maxValidatorsDown("devnet") == budget);
    CHECK(h.maxValidatorChainsInFlight == budget);
    for (int vmid = 101; vmid < 101 + validators; ++vmid) {
        CHECK(h.world.container("local", vmid)->resources.cores == 4);
        CHECK(h.world.calls("local", "stop", vmid) == 1);
        CHECK(h.world.container("local", vmid)->snapshots.size() == 1);
    }
    bool waitedForBudget = false;
    for (const auto& e : h.eventsOf("ConditionChanged")) {
        waitedForBudget =
            waitedForBudget || e.message.find("validator budget") != std::string::npos;
    }
    CHECK(waitedForBudget);
}

TEST_CASE("disruptive actions are journalled and closed, on success and failure",
          "[reconciler][journal]") {
    auto spec = makeCluster(4);
    Harness h(spec);
    h.world.watchJournal(h.stateDir.path().string());
    CHECK(h.converge() > 0);
    for (const auto& call : h.world.callLog()) {
        if (call.op == "create") {
            CHECK(call.openIntents == 1);
        } else if (call.op == "start" || call.op == "perform:install") {
            CHECK(call.openIntents == 0);
        }
    }
    CHECK(openIntents(h.stateDir.path()) == 0);

    // An upgrade is a restart: every step of it is journalled.
    spec.networks[0].version = *spec::Version::parse("24.3.0");
    h.reconciler.setSpec(spec);
    h.world.fail("local", "perform:restart-service", 104, 1, hosts::ErrorKind::Permanent,
                 "unit besu.service not found");
    CHECK(h.converge(100) > 0);
    int restarts = 0;
    for (const auto& call : h.world.callLog()) {
        if (call.op == "perform:restart-service" || call.op == "snapshot") {
            CHECK(call.openIntents == 1);
            restarts += call.op == "perform:restart-service" ? 1 : 0;
        }
    }
    CHECK(restarts == 4);
    CHECK(openIntents(h.stateDir.path()) == 0);  // the failed one was closed too
    CHECK(h.status("val4").condition.type == ConditionType::Failed);
    CHECK(h.status("val1").condition.type == ConditionType::Ready);
    CHECK(h.status("val1").version == spec::Version::parse("24.3.0"));
}

TEST_CASE("intents a previous run left open are reported and resumed", "[reconciler][journal]") {
    Harness h(makeCluster(2));
    h.journal.reset();
    {
        auto previous = openJournal(h.stateDir.path());
        std::string error;
        REQUIRE(previous->begin(stopAction(), h.clock.now() - seconds(30), error));
    }
    reopenJournal(h.journal, h.stateDir.path());
    REQUIRE(h.journal->interrupted().size() == 1);

    h.reconciler.noteInterrupted(h.journal->interrupted());
    auto interrupted = h.eventsOf("Interrupted");
    REQUIRE(interrupted.size() == 1);
    CHECK(interrupted[0].node == "val1");
    CHECK_THAT(interrupted[0].message, Contains("interrupted during stop (restart) of vmid 101"));
    CHECK_THAT(interrupted[0].message, Contains("cores 2 → 4 (restart)"));
    CHECK(h.status("val1").condition.type == ConditionType::Progressing);
    CHECK(h.status("val1").condition.reason == "ResumingInterrupted");
    CHECK(h.status("val2").condition.reason == "NotObserved");
    h.journal->forgetInterrupted();
    CHECK(openIntents(h.stateDir.path()) == 0);

    CHECK(h.pass() == 2);
    CHECK(h.status("val1").condition.reason == "ResumingInterrupted");
    CHECK_THAT(h.status("val1").condition.message, Contains("now: vmid 101 missing on local"));
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    CHECK(h.pass() == 0);
    CHECK(h.status("val1").condition.reason == "Running");
}

TEST_CASE("a condition keeps its since while it does not change", "[reconciler]") {
    Harness h(makeCluster(4));
    CHECK(h.converge() > 0);
    std::map<std::string, plan::TimePoint> since;
    for (const auto& [name, status] : h.reconciler.nodes()) {
        since[name] = status.condition.since;
    }
    const int changes = h.eventCount("ConditionChanged");
    // NotObserved → Creating → Running; val3 and val4 waited for a slot on the host first.
    CHECK(changes == 4 * 2 + 2);
    for (int i = 0; i < 5; ++i) {
        h.clock.advance(seconds(30));
        CHECK(h.pass() == 0);
    }
    for (const auto& [name, status] : h.reconciler.nodes()) {
        CHECK(status.condition.since == since[name]);
    }
    CHECK(h.eventCount("ConditionChanged") == changes);
    CHECK(h.status("val1").condition.since < h.clock.now() - seconds(150));
}

TEST_CASE("a node that was Ready and fails to heal is Degraded", "[reconciler]") {
    Harness h(makeCluster(4));
    CHECK(h.converge() > 0);
    h.world.setService("local", 101, plan::ServiceState::Failed);
    h.world.fail("local", "perform:restart-service", 101, 1, hosts::ErrorKind::Transient,
                 "job for besu.service failed");
    CHECK(h.pass() == 1);
    const auto& c = h.status("val1").condition;
    CHECK(c.type == ConditionType::Degraded);
    CHECK(c.reason == "RetryingAfterError");
    CHECK_THAT(c.message, Contains("job for besu.service failed"));
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    std::vector<std::string> changes;
    for (const auto& e : h.eventsOf("ConditionChanged", "val1")) {
        changes.push_back(e.message.substr(0, e.message.find(':')));
    }
    CHECK(changes == std::vector<std::string>{
                         "Unknown (NotObserved) → Progressing (Creating)",
                         "Progressing (Creating) → Ready (Running)",
                         "Ready (Running) → Progressing (Starting)",
                         "Progressing (Starting) → Degraded (RetryingAfterError)",
                         "Degraded (RetryingAfterError) → Progressing (Starting)",
                         "Progressing (Starting) → Ready (Running)",
                     });
}

TEST_CASE("an unhealthy node that nothing will fix is Degraded, NotReady", "[reconciler]") {
    Harness h(makeCluster(4));
    CHECK(h.converge() > 0);
    h.world.setHealth("local", 102, plan::Health::NotReady);
    CHECK(h.pass() == 0);
    const auto& c = h.status("val2").condition;
    CHECK(c.type == ConditionType::Degraded);
    CHECK(c.reason == "NotReady");
    CHECK(c.message == "health probes report not ready");
    CHECK(h.status("val2").health == plan::Health::NotReady);
}

TEST_CASE("a node is Ready once its probes say so, and keeps it through one failed reading",
          "[reconciler]") {
    Harness h(makeCluster(4));
    CHECK(h.converge() > 0);
    REQUIRE(h.status("val2").condition.type == ConditionType::Ready);
    // One failed reading below the kind's threshold: still Ready.
    h.world.setHealth("local", 102, plan::Health::Unknown);
    CHECK(h.pass() == 0);
    CHECK(h.status("val2").condition.type == ConditionType::Ready);

    // A node that was not Ready does not become Ready on an active service alone (a node made
    // again from scratch, still syncing, answers nothing useful yet).
    h.world.setHealth("local", 102, plan::Health::NotReady);
    CHECK(h.pass() == 0);
    REQUIRE(h.status("val2").condition.type == ConditionType::Degraded);
    h.world.setHealth("local", 102, plan::Health::Unknown);
    CHECK(h.pass() == 0);
    const auto& c = h.status("val2").condition;
    CHECK(c.type == ConditionType::Degraded);
    CHECK(c.message == "waiting for the health probes");
    h.world.setHealth("local", 102, plan::Health::Ready);
    CHECK(h.pass() == 0);
    CHECK(h.status("val2").condition.type == ConditionType::Ready);
}

TEST_CASE("a vmid taken by a container chainvisor does not own blocks the node", "[reconciler]") {
    Harness h(makeCluster(4));
    FakeContainer stranger;
    stranger.vmid = 101;
    stranger.power = plan::PowerState::Running;
    h.world.putContainer("local", stranger);
    CHECK(h.converge() > 0);
    const auto& c = h.status("val1").condition;
    CHECK(c.type == ConditionType::Failed);
    CHECK(c.reason == "Blocked");
    CHECK_THAT(c.message, Contains("set adopt: true"));
    CHECK(h.status("val2").condition.type == ConditionType::Ready);
    CHECK(h.world.calls("local", "inspect", 101) == 0);
}

TEST_CASE("removed and absent nodes leave the status map once gone", "[reconciler]") {
    auto spec = makeCluster(4);
    addNode(spec, "rpc1", spec::Role::Rpc);
    addNode(spec, "rpc2", spec::Role::Rpc);
    Harness h(spec);
    CHECK(h.converge() > 0);
    REQUIRE(h.reconciler.nodes().size() == 6);

    // Removed, deletion policy orphan: left in place, only a notice.
    auto removed = spec;
    std::erase_if(removed.nodes, [](const spec::Node& n) { return n.name == "rpc2"; });
    h.reconciler.setSpec(removed);
    CHECK_FALSE(h.reconciler.nodes().contains("rpc2"));
    CHECK(h.converge(100) > 0);
    CHECK(allReady(h));
    CHECK(h.world.container("local", 202));
    const auto& notices = h.reconciler.lastPlan().notices;
    CHECK(std::any_of(notices.begin(), notices.end(), [](const plan::Notice& n) {
        return n.node == "rpc2" && n.message.find("orphaned") != std::string::npos;
    }));
    // Reported once as an event, not again on every pass.
    CHECK(h.eventCount("Notice", "rpc2") == 1);
    h.pass();
    h.pass();
    CHECK(h.eventCount("Notice", "rpc2") == 1);

    // Deletion policy delete: the orphan is destroyed; absent rpc1 too, then dropped.
    removed.policy.deletion = spec::DeletionPolicy::Delete;
    node(removed, "rpc1").state = spec::DesiredState::Absent;
    h.reconciler.setSpec(removed);
    CHECK(h.converge(100) > 0);
    CHECK_FALSE(h.world.container("local", 202));
    CHECK_FALSE(h.world.container("local", 201));
    CHECK_FALSE(h.reconciler.nodes().contains("rpc1"));
    CHECK_FALSE(h.reconciler.nodes().contains("rpc2"));
    CHECK(h.reconciler.nodes().size() == 4);
    CHECK(allReady(h));
    CHECK(openIntents(h.stateDir.path()) == 0);
}

TEST_CASE("a host that cannot enter containers is managed at container level", "[reconciler]") {
    auto spec = makeCluster(4);
    Harness h(spec);
    h.fakeHosts.at("local")->setEntersContainers(false);
    CHECK(h.converge() > 0);
    CHECK(allReady(h));
    CHECK(h.status("val1").condition.reason == "ContainerRunning");
    CHECK(h.world.containerCount("local") == 4);
    // Nothing inside was looked at or done.
    CHECK(h.world.calls("local", "inspect") == 0);
    CHECK(h.world.calls("local", "perform:install") == 0);
    auto val1 = h.world.container("local", 101);
    REQUIRE(val1);
    CHECK(val1->power == plan::PowerState::Running);
    CHECK(h.pass() == 0);

    // A container stopped from outside is still healed.
    h.world.stopFromOutside("local", 102);
    CHECK(h.converge() > 0);
    CHECK(h.world.container("local", 102)->power == plan::PowerState::Running);
    CHECK(h.world.calls("local", "perform:start-service") == 0);
}
