// The health gate fed reading by reading: what each reading decides, and what is said to be
// missing while it has not passed.
#include "nodes/health_gate.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chainvisor::nodes {
namespace {

struct Step {
    NodeReading reading;
    bool passes = false;
    std::string missing;  // after the reading; empty once passed
};

struct Row {
    const char* name;
    GateCriteria criteria;
    std::vector<Step> steps;
};

NodeReading ready(std::optional<std::uint64_t> height = std::nullopt,
                  std::optional<std::uint32_t> peers = std::nullopt,
                  std::optional<std::uint64_t> lastSealed = std::nullopt) {
    NodeReading r;
    r.ready = true;
    r.height = height;
    r.peers = peers;
    r.lastSealed = lastSealed;
    return r;
}

NodeReading notReady(std::string problem, std::optional<std::uint64_t> height = std::nullopt,
                     std::optional<std::uint64_t> lastSealed = std::nullopt) {
    NodeReading r;
    r.problem = std::move(problem);
    r.height = height;
    r.lastSealed = lastSealed;
    return r;
}

GateCriteria criteria(int minPeers, bool heightRising, bool ownSeal) {
    GateCriteria c;
    c.minPeers = minPeers;
    c.heightRising = heightRising;
    c.ownSeal = ownSeal;
    return c;
}

}  // namespace

TEST_CASE("the health gate decides reading by reading", "[nodes][gate]") {
    const std::vector<Row> rows = {
        {"not ready, with and without a problem",
         criteria(0, false, false),
         {
             {notReady("readiness DOWN"), false, "not ready: readiness DOWN"},
             {notReady(""), false, "not ready"},
         }},
        {"too few peers, none reported counts as 0",
         criteria(2, false, false),
         {
             {ready(10, 1), false, "1 peers, need 2"},
             {ready(10), false, "0 peers, need 2"},
             {ready(10, 2), true, ""},
         }},
        {"height must rise after the first ready reading",
         criteria(1, true, false),
         {
             {ready(100, 1), false, "height not rising (100 when it became ready)"},
             {ready(100, 1), false, "height not rising (100 when it became ready)"},
             {ready(101, 1), true, ""},
         }},
        {"a height seen before readiness does not count",
         criteria(0, true, false),
         {
             {notReady("readiness DOWN", 90), false, "not ready: readiness DOWN"},
             {ready(100), false, "height not rising (100 when it became ready)"},
             {ready(101), true, ""},
         }},
        {"a lower head after readiness is no rise",
         criteria(0, true, false),
         {
             {ready(100), false, "height not rising (100 when it became ready)"},
             {ready(99), false, "height not rising (100 when it became ready)"},
         }},
        {"height criteria need a reported height",
         criteria(0, true, false),
         {
             {ready(), false, "no block height reported"},
             {ready(5), false, "height not rising (5 when it became ready)"},
             {ready(6), true, ""},
         }},
        {"own seal must be above the first ready height",
         criteria(0, false, true),
         {
             {ready(100, 0, 100), false,
              "no block sealed by this validator since it became ready at height 100"},
             {ready(101, 0, 100), false,
              "no block sealed by this validator since it became ready at height 100"},
             {ready(102, 0, 102), true, ""},
         }},
        {"an old seal from before readiness does not count",
         criteria(0, false, true),
         {
             {notReady("syncing", 50, 95), false, "not ready: syncing"},
             {ready(100, 0, 95), false,
              "no block sealed by this validator since it became ready at height 100"},
             {ready(101, 0, 95), false,
              "no block sealed by this validator since it became ready at height 100"},
             {ready(102, 0, 101), true, ""},
         }},
        {"a rise once seen is kept while the seal is awaited",
         criteria(1, true, true),
         {
             {ready(100, 1), false, "height not rising (100 when it became ready)"},
             {ready(101, 1), false,
              "no block sealed by this validator since it became ready at height 100"},
             {ready(101, 0, 101), false, "0 peers, need 1"},
             {ready(101, 1, 101), true, ""},
         }},
        {"every criterion at once, in order",
         criteria(2, true, true),
         {
             {notReady("readiness DOWN"), false, "not ready: readiness DOWN"},
             {ready(200, 1), false, "1 peers, need 2"},
             {ready(200, 2), false, "height not rising (200 when it became ready)"},
             {ready(201, 2), false,
              "no block sealed by this validator since it became ready at height 200"},
             {ready(202, 2, 202), true, ""},
         }},
        {"passes stay passed",
         criteria(1, true, false),
         {
             {ready(1, 1), false, "height not rising (1 when it became ready)"},
             {ready(2, 1), true, ""},
             {notReady("readiness DOWN"), true, ""},
             {ready(0, 0), true, ""},
         }},
        {"a criteria-less gate passes on the first ready reading",
         criteria(0, false, false),
         {
             {notReady("connection refused"), false, "not ready: connection refused"},
             {ready(), true, ""},
         }},
    };
    for (const Row& row : rows) {
        SECTION(row.name) {
            HealthGate gate(row.criteria);
            CHECK_FALSE(gate.passed());
            CHECK(gate.missing() == "no reading yet");
            for (std::size_t i = 0; i < row.steps.size(); ++i) {
                INFO("reading " << i);
                const Step& step = row.steps[i];
                CHECK(gate.feed(step.reading) == step.passes);
                CHECK(gate.passed() == step.passes);
                CHECK(gate.missing() == step.missing);
            }
        }
    }
}

TEST_CASE("the health gate describes what it asks for", "[nodes][gate]") {
    struct Case {
        GateCriteria criteria;
        std::string text;
    };
    const std::vector<Case> cases = {
        {criteria(0, false, false), "ready"},
        {criteria(1, false, false), "ready, ≥1 peers"},
        {criteria(3, true, false), "ready, ≥3 peers, height rising"},
        {criteria(0, false, true), "ready, own seal"},
        {criteria(2, true, true), "ready, ≥2 peers, height rising, own seal"},
    };
    for (const auto& c : cases) {
        CHECK(HealthGate(c.criteria).describe() == c.text);
    }
}

TEST_CASE("a validator not yet in the validator set is not asked for a seal", "[nodes][gate]") {
    HealthGate gate(criteria(1, true, true));
    auto outside = [](std::uint64_t height, std::optional<bool> inSet) {
        NodeReading r = ready(height, 2);
        r.inValidatorSet = inSet;
        return r;
    };
    CHECK_FALSE(gate.feed(outside(10, false)));
    CHECK(gate.missing() == "height not rising (10 when it became ready)");
    // Whether it is in the set unknown: the seal is still required.
    CHECK_FALSE(gate.feed(outside(11, std::nullopt)));
    CHECK(gate.missing() == "no block sealed by this validator since it became ready at height 10");
    // Known not to be: it cannot seal until voted in, so the gate does not wait for it.
    CHECK(gate.feed(outside(12, false)));
}

}  // namespace chainvisor::nodes
