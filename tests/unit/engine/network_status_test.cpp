// A network's status from its nodes' statuses: validators online against the quorum, a head that
// rises or stands still, a halted rollout, and `since` across passes.
#include "engine/network_status.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const plan::TimePoint kT0{std::chrono::hours(24 * 365 * 56)};

NodeStatus nodeStatus(ConditionType type, std::optional<std::uint64_t> height = std::nullopt) {
    NodeStatus status;
    status.condition.type = type;
    status.height = height;
    return status;
}

// `ready` of val1…valN Ready at `height`, the rest Degraded and without a height.
NodeStatusMap validators(int count, int ready, std::optional<std::uint64_t> height = 100) {
    NodeStatusMap nodes;
    for (int i = 1; i <= count; ++i) {
        nodes["val" + std::to_string(i)] = i <= ready ? nodeStatus(ConditionType::Ready, height)
                                                      : nodeStatus(ConditionType::Degraded);
    }
    return nodes;
}

// Block period 2 s, probes every second: a head may stand still for 6 s.
spec::Cluster cluster(int count) {
    auto spec = makeCluster(count);
    spec.networks[0].genesis.blockPeriodSeconds = 2;
    spec.policy.probeInterval = seconds(1);
    return spec;
}

}  // namespace

TEST_CASE("validators online against the quorum", "[network]") {
    struct Row {
        int validators;
        int ready;
        ConditionType type;
        std::string reason;
        std::string message;
    };
    const std::vector<Row> rows = {
        {4, 4, ConditionType::Ready, "Producing", "4 of 4 validators online (quorum 3)"},
        {4, 3, ConditionType::Ready, "Producing", "3 of 4 validators online (quorum 3)"},
        {4, 2, ConditionType::Degraded, "BelowQuorum",
         "2 of 4 validators online (quorum 3): the chain cannot make blocks"},
        {4, 0, ConditionType::Degraded, "BelowQuorum",
         "0 of 4 validators online (quorum 3): the chain cannot make blocks"},
        {1, 1, ConditionType::Ready, "Producing", "1 of 1 validators online (quorum 1)"},
        {7, 5, ConditionType::Ready, "Producing", "5 of 7 validators online (quorum 5)"},
        {7, 4, ConditionType::Degraded, "BelowQuorum",
         "4 of 7 validators online (quorum 5): the chain cannot make blocks"},
    };
    for (const Row& row : rows) {
        INFO(row.ready << " of " << row.validators);
        const auto spec = cluster(row.validators);
        const auto status = assessNetwork(spec, spec.networks[0],
                                          validators(row.validators, row.ready), nullptr, "", kT0);
        CHECK(status.validators == row.validators);
        CHECK(status.validatorsOnline == row.ready);
        CHECK(status.quorum == spec::quorum(row.validators));
        CHECK(status.condition.type == row.type);
        CHECK(status.condition.reason == row.reason);
        CHECK(status.condition.message == row.message);
        CHECK(status.condition.since == kT0);
    }
}

TEST_CASE("validators not online, absent or of no network role do not count", "[network]") {
    auto spec = cluster(4);
    addNode(spec, "rpc1", spec::Role::Rpc);
    addNode(spec, "rpc2", spec::Role::Rpc);
    addNode(spec, "val5", spec::Role::Validator).state = spec::DesiredState::Absent;
    NodeStatusMap nodes = validators(4, 2);
    nodes["rpc1"] = nodeStatus(ConditionType::Ready, 100);
    nodes["rpc2"] = nodeStatus(ConditionType::Ready, 100);
    nodes["val5"] = nodeStatus(ConditionType::Ready, 100);
    nodes["val3"] = nodeStatus(ConditionType::Progressing, 100);
    nodes.erase("val4");  // never observed
    const auto status = assessNetwork(spec, spec.networks[0], nodes, nullptr, "", kT0);
    CHECK(status.validators == 4);
    CHECK(status.validatorsOnline == 2);
    CHECK(status.condition.reason == "BelowQuorum");
}

TEST_CASE("a network whose nodes report no height yet is Progressing", "[network]") {
    const auto spec = cluster(4);
    const auto status =
        assessNetwork(spec, spec.networks[0], validators(4, 4, std::nullopt), nullptr, "", kT0);
    CHECK(status.condition.type == ConditionType::Progressing);
    CHECK(status.condition.reason == "NoHeight");
    CHECK_FALSE(status.height);
    CHECK_FALSE(status.heightRose);
}

TEST_CASE("stallAfter: three block periods, at least three probe intervals", "[network]") {
    struct Row {
        spec::NetworkKind kind;
        int blockPeriodSeconds;
        milliseconds probeInterval;
        milliseconds stall;
    };
    const std::vector<Row> rows = {
        {spec::NetworkKind::Besu, 2, seconds(1), seconds(6)},
        {spec::NetworkKind::Besu, 2, seconds(10), seconds(30)},
        {spec::NetworkKind::Besu, 15, seconds(10), seconds(45)},
        {spec::NetworkKind::Besu, 0, milliseconds(500), seconds(3)},  // a period of at least 1 s
        {spec::NetworkKind::Bitcell, 2, seconds(1), seconds(30)},     // 10 s for other kinds
        {spec::NetworkKind::Bitcell, 2, seconds(20), seconds(60)},
    };
    for (const Row& row : rows) {
        auto spec = cluster(4);
        spec.networks[0].kind = row.kind;
        spec.networks[0].genesis.blockPeriodSeconds = row.blockPeriodSeconds;
        spec.policy.probeInterval = row.probeInterval;
        INFO(row.blockPeriodSeconds << " s blocks, probes every " << row.probeInterval.count()
                                    << " ms");
        CHECK(stallAfter(spec, spec.networks[0]) == row.stall);
    }
}

TEST_CASE("a rising head keeps the network Ready, one that stands still stalls it", "[network]") {
    const auto spec = cluster(4);
    const auto& devnet = spec.networks[0];
    REQUIRE(stallAfter(spec, devnet) == seconds(6));
    struct Step {
        seconds at;
        std::uint64_t height;  // every validator's
        ConditionType type;
        std::string reason;
        seconds rose;   // heightRose, from kT0
        seconds since;  // the condition's since, from kT0
    };
    const std::vector<Step> steps = {
        {seconds(0), 10, ConditionType::Ready, "Producing", seconds(0), seconds(0)},
        {seconds(4), 11, ConditionType::Ready, "Producing", seconds(4), seconds(0)},
        {seconds(8), 12, ConditionType::Ready, "Producing", seconds(8), seconds(0)},
        // Standing still: Ready up to stallAfter, Degraded after it.
        {seconds(12), 12, ConditionType::Ready, "Producing", seconds(8), seconds(0)},
        {seconds(14), 12, ConditionType::Ready, "Producing", seconds(8), seconds(0)},
        {seconds(15), 12, ConditionType::Degraded, "HeightStalled", seconds(8), seconds(15)},
        {seconds(30), 12, ConditionType::Degraded, "HeightStalled", seconds(8), seconds(15)},
        // It moves again.
        {seconds(31), 13, ConditionType::Ready, "Producing", seconds(31), seconds(31)},
    };
    std::optional<NetworkStatus> previous;
    for (const Step& step : steps) {
        INFO("at " << step.at.count() << " s");
        const auto status = assessNetwork(spec, devnet, validators(4, 4, step.height),
                                          previous ? &*previous : nullptr, "", kT0 + step.at);
        CHECK(status.height == step.height);
        CHECK(status.heightRose == kT0 + step.rose);
        CHECK(status.condition.type == step.type);
        CHECK(status.condition.reason == step.reason);
        CHECK(status.condition.since == kT0 + step.since);
        previous = status;
    }
    // What the stalled head said.
    auto stalled =
        assessNetwork(spec, devnet, validators(4, 4, 13), &*previous, "", kT0 + seconds(41));
    CHECK(stalled.condition.reason == "HeightStalled");
    CHECK(stalled.condition.message == "head at 13 for 10s; 4 of 4 validators online (quorum 3)");
}

TEST_CASE("a node behind the others does not lower the head", "[network]") {
    const auto spec = cluster(4);
    const auto& devnet = spec.networks[0];
    auto nodes = validators(4, 4, 50);
    nodes["val2"].height = 40;
    const auto first = assessNetwork(spec, devnet, nodes, nullptr, "", kT0);
    CHECK(first.height == 50u);  // the highest head any node reports

    // The node at the head stops answering; the one left is behind.
    nodes["val1"].height.reset();
    nodes["val3"].height.reset();
    nodes["val4"].height.reset();
    const auto second = assessNetwork(spec, devnet, nodes, &first, "", kT0 + seconds(2));
    CHECK(second.height == 50u);
    CHECK(second.heightRose == kT0);

    // Nobody reports a height: the last head is kept, and stalls in time.
    const auto third =
        assessNetwork(spec, devnet, validators(4, 4, std::nullopt), &second, "", kT0 + seconds(7));
    CHECK(third.height == 50u);
    CHECK(third.heightRose == kT0);
    CHECK(third.condition.reason == "HeightStalled");
}

TEST_CASE("a halted rollout degrades a network that otherwise is Ready", "[network]") {
    const auto spec = cluster(4);
    const auto& devnet = spec.networks[0];
    const std::string why =
        "rollout of devnet halted: val1 failed its health gate after a change "
        "(rolled back); change the spec to go on";
    const auto halted = assessNetwork(spec, devnet, validators(4, 4), nullptr, why, kT0);
    CHECK(halted.halted == why);
    CHECK(halted.condition.type == ConditionType::Degraded);
    CHECK(halted.condition.reason == "RolloutHalted");
    CHECK(halted.condition.message == why);

    // Below quorum is the worse news, and what the condition says; the halt is still recorded.
    const auto below =
        assessNetwork(spec, devnet, validators(4, 2), &halted, why, kT0 + seconds(1));
    CHECK(below.halted == why);
    CHECK(below.condition.reason == "BelowQuorum");
    CHECK(below.condition.since == kT0 + seconds(1));

    // A halt on a network that has shown no height yet is still what the condition says.
    const auto noHeight =
        assessNetwork(spec, devnet, validators(4, 4, std::nullopt), nullptr, why, kT0 + seconds(1));
    CHECK(noHeight.condition.reason == "RolloutHalted");

    // The halt lifted: Ready again.
    const auto lifted =
        assessNetwork(spec, devnet, validators(4, 4, 101), &below, "", kT0 + seconds(2));
    CHECK(lifted.halted.empty());
    CHECK(lifted.condition.type == ConditionType::Ready);
    CHECK(lifted.condition.since == kT0 + seconds(2));
}

TEST_CASE("since is kept while the condition stays the same", "[network]") {
    const auto spec = cluster(4);
    const auto& devnet = spec.networks[0];
    const auto first = assessNetwork(spec, devnet, validators(4, 2), nullptr, "", kT0);
    REQUIRE(first.condition.reason == "BelowQuorum");
    // Another count below quorum: same type and reason, a new message, the same since.
    const auto second = assessNetwork(spec, devnet, validators(4, 1), &first, "", kT0 + seconds(3));
    CHECK(second.condition.reason == "BelowQuorum");
    CHECK(second.condition.message ==
          "1 of 4 validators online (quorum 3): the chain cannot make blocks");
    CHECK(second.condition.since == kT0);
    const auto third =
        assessNetwork(spec, devnet, validators(4, 4, 101), &second, "", kT0 + seconds(4));
    CHECK(third.condition.reason == "Producing");
    CHECK(third.condition.since == kT0 + seconds(4));
}

TEST_CASE("a service network is Ready and Running whatever its nodes report", "[network]") {
    spec::Cluster spec;
    spec::Network web;
    web.name = "web";
    web.kind = spec::NetworkKind::Service;
    web.consensus = spec::Consensus::None;
    spec.networks.push_back(web);
    spec::Node node;
    node.name = "web1";
    node.network = "web";
    node.role = spec::Role::Service;
    spec.nodes.push_back(node);

    NodeStatusMap nodes;
    nodes["web1"] = nodeStatus(ConditionType::Degraded);
    const auto first = assessNetwork(spec, spec.networks[0], nodes, nullptr, "", kT0);
    CHECK(first.condition.type == ConditionType::Ready);
    CHECK(first.condition.reason == "Running");
    CHECK(first.condition.message.empty());
    CHECK(first.validators == 0);
    CHECK(first.quorum == 0);
    // No head that could stall.
    const auto later = assessNetwork(spec, spec.networks[0], nodes, &first, "", kT0 + seconds(600));
    CHECK(later.condition.reason == "Running");
    CHECK(later.condition.since == kT0);
}
