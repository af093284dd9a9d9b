#include "engine/journal.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "harness.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;

namespace {

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

TEST_CASE("an intent left open by a previous run is reported as interrupted", "[journal]") {
    TempDir dir;
    ManualClock clock;
    {
        auto previous = openJournal(dir.path());
        CHECK(previous->interrupted().empty());
        std::string error;
        auto id = previous->begin(stopAction(), clock.now(), error);
        REQUIRE(id);
        CHECK(error.empty());
        // killed here: no end()
    }
    // A temporary file from a write that never finished is not an intent.
    std::ofstream(dir.path() / "intents" / "x.json.tmp.1") << "{";

    auto journal = openJournal(dir.path());
    REQUIRE(journal->interrupted().size() == 1);
    const Intent& intent = journal->interrupted()[0];
    CHECK(intent.node == "val1");
    CHECK(intent.host == "local");
    CHECK(intent.vmid == 101);
    CHECK(intent.action == "stop");
    CHECK(intent.disruption == "restart");
    CHECK(intent.reason == "cores 2 → 4 (restart)");
    CHECK(intent.started == clock.now());
    CHECK_FALSE(std::filesystem::exists(dir.path() / "intents" / "x.json.tmp.1"));

    // The new run's intents never overwrite the old record, even at the same instant.
    std::string error;
    auto id = journal->begin(stopAction(), clock.now(), error);
    REQUIRE(id);
    CHECK(*id != intent.id);
    CHECK(openIntents(dir.path()) == 2);
    CHECK(journal->end(*id).empty());
    CHECK(openIntents(dir.path()) == 1);

    journal->forgetInterrupted();
    CHECK(journal->interrupted().empty());
    CHECK(openIntents(dir.path()) == 0);
    CHECK(openJournal(dir.path())->interrupted().empty());
}
