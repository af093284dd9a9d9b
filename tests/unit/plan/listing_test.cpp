// describe(action), formatPlan(plan), toString, and the observed model's small helpers.
#include <set>
#include <sstream>

#include "builder.h"

namespace chainvisor::plan {
namespace {

using namespace testing;

Action makeAction(ActionKind kind, std::string node, int vmid, std::string pveNode,
                  std::string reason, Disruption disruption) {
    Action a;
    a.kind = kind;
    a.node = std::move(node);
    a.host = pveNode.empty() ? "local" : "pve";
    a.pveNode = std::move(pveNode);
    a.vmid = vmid;
    a.reason = std::move(reason);
    a.disruption = disruption;
    return a;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

// The display column at which `needle` starts in `line` (UTF-8 aware).
std::size_t columnOf(const std::string& line, const std::string& needle) {
    const auto at = line.find(needle);
    REQUIRE(at != std::string::npos);
    std::size_t column = 0;
    for (std::size_t i = 0; i < at; ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return column;
}

TEST_CASE("listing: kinds and disruption classes have distinct names", "[plan][listing]") {
    std::set<std::string_view> names;
    for (int k = 0; k <= static_cast<int>(ActionKind::RollbackContainer); ++k) {
        names.insert(toString(static_cast<ActionKind>(k)));
    }
    CHECK(names.size() == 14);
    CHECK_FALSE(names.contains("?"));
    CHECK(toString(ActionKind::WriteConfig) == "write-config");
    CHECK(toString(Disruption::None) == "none");
    CHECK(toString(Disruption::Destroy) == "destroy");
}

TEST_CASE("listing: describe gives one aligned line", "[plan][listing]") {
    const Action create = makeAction(ActionKind::CreateContainer, "val1", 101, "",
                                     "vmid 101 missing on local", Disruption::None);
    CHECK(describe(create) ==
          "+ create          val1    vmid 101 on local         vmid 101 missing on local"
          "                     [none]");
    const Action update = makeAction(ActionKind::UpdateContainer, "val2", 102, "pve1",
                                     "memory 4096 → 8192 MiB (live)", Disruption::None);
    // "→" is one column: the class starts where it does for the create line.
    CHECK(columnOf(describe(update), "[none]") == columnOf(describe(create), "[none]"));
}

TEST_CASE("listing: a plan with actions, waiting and notices", "[plan][listing]") {
    Plan p;
    p.actions.push_back(makeAction(ActionKind::CreateContainer, "val1", 101, "",
                                   "vmid 101 missing on local", Disruption::None));
    p.actions.push_back(makeAction(ActionKind::UpdateContainer, "val2", 102, "pve1",
                                   "memory 4096 → 8192 MiB (live)", Disruption::None));
    p.actions.push_back(makeAction(ActionKind::StartContainer, "sentry-long-name", 201, "pve1",
                                   "container stopped, spec says running", Disruption::None));
    p.actions.push_back(makeAction(ActionKind::InstallSoftware, "val4", 104, "pve1",
                                   "version 24.1.0 → 24.3.0 (restart)", Disruption::Restart));
    p.actions.push_back(makeAction(ActionKind::RestartService, "val4", 104, "pve1",
                                   "version 24.1.0 → 24.3.0 (restart)", Disruption::Restart));
    p.waiting.push_back({"val3", "validator budget of devnet used: val2 down (1 of 1)"});
    p.notices.push_back(
        {"val9",
         "vmid 120 on pve1 exists but is not owned by chainvisor; set adopt: true to "
         "manage it"});

    const auto out = lines(formatPlan(p));

    REQUIRE(out.size() == 8);
    CHECK(out[0].starts_with("+ create "));
    CHECK(out[1].starts_with("~ update "));
    CHECK(out[2].starts_with("> start "));
    CHECK(out[3].starts_with("~ install "));
    CHECK(out[4].starts_with("* restart-service "));
    for (int i = 0; i < 5; ++i) {
        // Columns are widened to the longest entry: everything lines up.
        CHECK(columnOf(out[i], "vmid ") == columnOf(out[2], "vmid "));
        CHECK(columnOf(out[i], "[") == columnOf(out[0], "[none]"));
    }
    CHECK(out[3].ends_with("[restart]"));
    CHECK(out[5] == "waiting: val3: validator budget of devnet used: val2 down (1 of 1)");
    CHECK(out[6] ==
          "notice:  val9: vmid 120 on pve1 exists but is not owned by chainvisor; set "
          "adopt: true to manage it");
    CHECK(out[7] == "5 actions (3 none, 2 restart), 1 waiting, 1 notice");
}

TEST_CASE("listing: summaries count and pluralise", "[plan][listing]") {
    Plan p;
    CHECK(formatPlan(p) == "No changes: the cluster matches the spec.\n");
    p.notices.push_back({"", "something to know"});
    CHECK(formatPlan(p) ==
          "notice:  something to know\nNo changes: the cluster matches the spec.\n");
    p.waiting.push_back({"val1", "paused"});
    p.waiting.push_back({"val2", "paused"});
    CHECK(lines(formatPlan(p)).back() == "0 actions, 2 waiting, 1 notice");
    p.waiting.clear();
    p.notices.clear();
    p.actions.push_back(makeAction(ActionKind::DestroyContainer, "old", 150, "pve1",
                                   "not in the cluster file (policy.deletion: delete)",
                                   Disruption::Destroy));
    CHECK(lines(formatPlan(p)).back() == "1 action (1 destroy)");
    CHECK(lines(formatPlan(p)).front().starts_with("- destroy "));
}

TEST_CASE("listing: a real plan renders", "[plan][listing]") {
    spec::Cluster cluster = devnet(4, 1);
    Observed world = converged(cluster);
    removeContainer(world, cluster, "sentry1");
    world.nodes.erase("sentry1");
    world.nodes["val2"].version = version("24.1.0");
    world.nodes["val3"].health = Health::NotReady;
    const std::string text = formatPlan(plan(cluster, world, fixedNow()));
    CHECK(text.find("+ create          sentry1  vmid 201 on pve1") != std::string::npos);
    CHECK(text.find("waiting: val2: validator budget of devnet used: val3 down (1 of 1)\n") !=
          std::string::npos);
    CHECK(lines(text).back() == "5 actions (5 none), 1 waiting");
}

TEST_CASE("observed: lookups and the empty world", "[plan][observed]") {
    spec::Cluster cluster = devnet(2);
    addHost(cluster, "local");
    Observed world = emptyWorld(cluster);
    REQUIRE(world.hosts.size() == 2);
    for (const auto& [name, host] : world.hosts) {
        CHECK(host.name == name);
        CHECK(host.reachable);
        CHECK(host.containers.empty());
        CHECK(host.offlinePveNodes.empty());
    }
    CHECK(world.nodes.empty());
    CHECK_FALSE(world.pausedAll);
    CHECK(world.findHost("nope") == nullptr);
    CHECK(world.findNode("val1") == nullptr);

    world = converged(cluster);
    const ObservedHost* pve1 = world.findHost("pve1");
    REQUIRE(pve1 != nullptr);
    REQUIRE(pve1->findContainer(102) != nullptr);
    CHECK(pve1->findContainer(102)->owner->node == "val2");
    CHECK(pve1->findContainer(999) == nullptr);
    REQUIRE(world.findNode("val1") != nullptr);
    CHECK(world.findNode("val1")->service == ServiceState::Active);
}

TEST_CASE("snapshots are named from now, in UTC", "[plan][listing]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val1"].version = version("24.1.0");
    using namespace std::chrono;
    const TimePoint at{sys_days{year{2027} / January / 2} + hours{3} + minutes{4} + seconds{5} +
                       milliseconds{678}};
    const Plan p = plan(cluster, world, at);
    REQUIRE_FALSE(p.actions.empty());
    CHECK(p.actions[0].snapshot == "cv-20270102-030405");
}

}  // namespace
}  // namespace chainvisor::plan
