// Running chains against the fake world: an action of val1 (vmid 101 on local) and a fixture with
// a one-validator cluster, a fake host and agent, a manual clock and a journal in a temp dir.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/chain.h"
#include "harness.h"

namespace chainvisor::engine::testing {

inline plan::Action chainAction(plan::ActionKind kind, plan::Disruption disruption,
                                std::string reason) {
    plan::Action a;
    a.kind = kind;
    a.node = "val1";
    a.host = "local";
    a.vmid = 101;
    a.disruption = disruption;
    a.reason = std::move(reason);
    return a;
}

struct ChainFixture {
    ChainFixture() : spec(makeCluster(1)), host(world, "local"), journal(openJournal(dir.path())) {
        world.watchJournal(dir.path().string());
    }

    Chain chainOf(std::vector<plan::Action> actions) { return makeChain(spec, std::move(actions)); }
    ChainOutcome run(const Chain& chain) {
        return runChain(chain, spec, host, agent, *journal, clock);
    }
    ChainOutcome run(std::vector<plan::Action> actions) { return run(chainOf(std::move(actions))); }
    // The fake world's calls, in order.
    std::vector<std::string> ops() const {
        std::vector<std::string> out;
        for (const auto& call : world.callLog()) {
            out.push_back(call.op);
        }
        return out;
    }

    TempDir dir;
    spec::Cluster spec;
    FakeWorld world;
    FakeHost host;
    FakeNodeAgent agent{world};
    ManualClock clock;
    std::optional<Journal> journal;
};

}  // namespace chainvisor::engine::testing
