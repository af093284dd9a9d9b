#include "engine/chain.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "chain_fixture.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;
using plan::ActionKind;
using plan::Disruption;

namespace {

plan::Action action(ActionKind kind, Disruption disruption = Disruption::None) {
    return chainAction(kind, disruption, "test");
}

}  // namespace

TEST_CASE("runChain maps container actions to the host and the rest to the agent", "[chain]") {
    ChainFixture f;
    auto snapshot = action(ActionKind::SnapshotContainer, Disruption::Restart);
    snapshot.snapshot = "cv-1";
    auto update = action(ActionKind::UpdateContainer, Disruption::Restart);
    update.changes = {plan::FieldChange{"cores", "2", "4", false}};
    auto resize = action(ActionKind::ResizeDisk, Disruption::Restart);
    resize.diskGiB = 32;
    auto install = action(ActionKind::InstallSoftware);
    install.version = spec::Version::parse("24.1.0");
    auto chain = f.chainOf({action(ActionKind::CreateContainer), install,
                            action(ActionKind::StartContainer), action(ActionKind::StartService),
                            snapshot, action(ActionKind::StopContainer, Disruption::Restart),
                            update, resize, action(ActionKind::StartContainer, Disruption::Restart),
                            action(ActionKind::StartService, Disruption::Restart)});
    chain.node.resources.cores = 4;
    chain.container.resources.cores = 4;
    auto outcome = f.run(chain);
    CHECK_FALSE(outcome.error);
    CHECK(outcome.completed == 10);
    CHECK(outcome.node == "val1");

    std::vector<std::string> ops;
    for (const auto& call : f.world.callLog()) {
        ops.push_back(call.op);
    }
    CHECK(ops == std::vector<std::string>{"create", "perform:install", "start",
                                          "perform:start-service", "snapshot", "stop", "update",
                                          "resize", "start", "perform:start-service"});
    auto log = f.world.callLog();
    CHECK(log[5].grace == std::chrono::seconds(60));  // kContainerStopGrace
    auto c = f.world.container("local", 101);
    REQUIRE(c);
    CHECK(c->resources.cores == 4);
    CHECK(c->resources.diskGiB == 32);
    CHECK(c->snapshots == std::vector<std::string>{"cv-1"});
    CHECK(c->power == plan::PowerState::Running);
    CHECK(c->inside.service == plan::ServiceState::Active);
    CHECK(c->owner->cluster == "test");
    CHECK(c->owner->node == "val1");
}

TEST_CASE("runChain journals create, destroy and disruptive actions only, and closes them",
          "[chain][journal]") {
    ChainFixture f;
    auto install = action(ActionKind::InstallSoftware);
    install.version = spec::Version::parse("24.1.0");
    auto chain =
        f.chainOf({action(ActionKind::CreateContainer), install, action(ActionKind::StartContainer),
                   action(ActionKind::StopContainer, Disruption::Stop),
                   action(ActionKind::DestroyContainer, Disruption::Destroy)});
    auto outcome = f.run(chain);
    REQUIRE_FALSE(outcome.error);
    std::map<std::string, int> open;
    for (const auto& call : f.world.callLog()) {
        open[call.op] = call.openIntents;
    }
    CHECK(open["create"] == 1);
    CHECK(open["perform:install"] == 0);
    CHECK(open["start"] == 0);
    CHECK(open["stop"] == 1);
    CHECK(open["destroy"] == 1);
    CHECK(openIntents(f.dir.path()) == 0);
    CHECK(journalled(action(ActionKind::RestartService, Disruption::Restart)));
    CHECK_FALSE(journalled(action(ActionKind::RestartService, Disruption::None)));
}

TEST_CASE("runChain stops at the first failure and closes its intent", "[chain]") {
    ChainFixture f;
    f.world.fail("local", "start", 101, 1, hosts::ErrorKind::Transient, "got timeout");
    auto chain = f.chainOf({action(ActionKind::CreateContainer),
                            action(ActionKind::StartContainer, Disruption::Restart),
                            action(ActionKind::StartService)});
    auto outcome = f.run(chain);
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == hosts::ErrorKind::Transient);
    CHECK(outcome.error->message == "got timeout");
    CHECK(outcome.completed == 1);
    CHECK(outcome.failedAction == "start (vmid 101 on local): test");
    CHECK(f.world.calls("local", "perform:start-service") == 0);
    CHECK(openIntents(f.dir.path()) == 0);
}

TEST_CASE("runChain does not start an action whose intent cannot be recorded", "[chain][journal]") {
    ChainFixture f;
    FakeContainer existing;
    existing.vmid = 101;
    existing.owner = plan::OwnerMarker{"test", "val1"};
    f.world.putContainer("local", existing);
    std::filesystem::remove_all(f.dir.path() / "intents");
    std::ofstream(f.dir.path() / "intents") << "not a directory";
    auto chain = f.chainOf(
        {action(ActionKind::StartContainer), action(ActionKind::StopContainer, Disruption::Stop)});
    auto outcome = f.run(chain);
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == hosts::ErrorKind::Transient);
    CHECK_THAT(outcome.error->message, Catch::Contains("cannot record intent in the journal"));
    CHECK(outcome.completed == 1);  // the start needs no intent
    CHECK(f.world.calls("local", "start") == 1);
    CHECK(f.world.calls("local", "stop") == 0);
}

TEST_CASE("makeChain takes the node from the spec, or makes one up for an orphan", "[chain]") {
    auto spec = makeCluster(1);
    auto chain = makeChain(spec, {action(ActionKind::CreateContainer)});
    CHECK(chain.node.name == "val1");
    CHECK(chain.node.ip == spec.nodes[0].ip);
    CHECK(chain.container.hostname == "val1");
    CHECK(chain.container.owner.cluster == "test");

    auto orphan = action(ActionKind::DestroyContainer, Disruption::Destroy);
    orphan.node = "old";
    orphan.vmid = 150;
    auto orphanChain = makeChain(spec, {orphan});
    CHECK(orphanChain.node.name == "old");
    CHECK(orphanChain.node.host == "local");
    CHECK(orphanChain.node.vmid == 150);
    CHECK(orphanChain.container.vmid == 150);
    CHECK(orphanChain.container.owner.node == "old");
}
