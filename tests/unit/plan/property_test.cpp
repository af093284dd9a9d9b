// Property tests: random clusters and random observed worlds (seeded, reproducible). Each plan
// must keep every safety invariant (simulator.h: firstViolation), be deterministic, and repeated
// plan/apply passes must converge to an empty plan that stays empty, with everything still
// different from the spec explained by a waiting entry or a notice.
#include <algorithm>
#include <random>
#include <set>

#include "builder.h"
#include "simulator.h"

namespace chainvisor::plan {
namespace {

using namespace testing;

constexpr int kSeeds = 2000;

class Random {
public:
    explicit Random(unsigned seed) : engine_(seed) {}
    int between(int low, int high) {  // inclusive
        return std::uniform_int_distribution<int>(low, high)(engine_);
    }
    bool chance(int percent) { return between(1, 100) <= percent; }
    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
    }
    std::mt19937& engine() { return engine_; }

private:
    std::mt19937 engine_;
};

spec::Resources randomResources(Random& rng) {
    return spec::Resources{rng.pick(std::vector{1, 2, 4}), rng.pick(std::vector{2048, 4096, 8192}),
                           rng.pick(std::vector{0, 512, 1024}), rng.pick(std::vector{16, 32})};
}

spec::Cluster randomCluster(Random& rng) {
    spec::Cluster cluster = makeCluster("lab");
    cluster.policy.budgets.globalConcurrent = rng.between(1, 10);
    cluster.policy.deletion =
        rng.chance(50) ? spec::DeletionPolicy::Delete : spec::DeletionPolicy::Orphan;
    cluster.policy.snapshotBeforeDisruptive = rng.chance(70);
    const int hosts = rng.between(1, 3);
    for (int h = 1; h <= hosts; ++h) {
        std::vector<std::string> pveNodes;
        const int members = rng.chance(20) ? 0 : rng.between(1, 2);
        for (int m = 1; m <= members; ++m) {
            pveNodes.push_back("pve" + std::to_string(h) + std::to_string(m));
        }
        addHost(cluster, "h" + std::to_string(h), pveNodes, rng.between(1, 4));
    }
    const int networks = rng.between(1, 3);
    int vmid = 100;
    for (int n = 1; n <= networks; ++n) {
        const std::string name = "net" + std::to_string(n);
        const bool bitcell = rng.chance(25);
        addNetwork(cluster, name, bitcell ? "0.3.1" : "24.3.0", rng.between(0, 3),
                   bitcell ? spec::NetworkKind::Bitcell : spec::NetworkKind::Besu);
        const int validators = rng.between(1, 10);
        const int sentries = rng.between(0, 3);
        const int rpcs = rng.between(0, 2);
        const auto addOne = [&](const std::string& nodeName, spec::Role role) {
            const spec::Host& host = rng.pick(cluster.hosts);
            const std::string pveNode = host.pveNodes.empty() ? "" : rng.pick(host.pveNodes);
            spec::Node& node = addNode(cluster, nodeName, name, role, host.name, ++vmid, pveNode);
            node.resources = randomResources(rng);
            const int state = rng.between(1, 100);
            node.state = state <= 8    ? spec::DesiredState::Stopped
                         : state <= 14 ? spec::DesiredState::Absent
                                       : spec::DesiredState::Running;
            node.adopt = rng.chance(10);
            if (rng.chance(10)) {
                node.hostname.clear();  // unresolved: the node's name
            }
        };
        for (int i = 1; i <= validators; ++i) {
            addOne(name + "-val" + std::to_string(i), spec::Role::Validator);
        }
        for (int i = 1; i <= sentries; ++i) {
            addOne(name + "-sentry" + std::to_string(i), spec::Role::Sentry);
        }
        for (int i = 1; i <= rpcs; ++i) {
            addOne(name + "-rpc" + std::to_string(i),
                   rng.chance(50) ? spec::Role::Rpc : spec::Role::Full);
        }
    }
    return cluster;
}

// What the world hides while a host is blind, and what later passes reveal.
struct Hidden {
    std::map<std::string, std::vector<ObservedContainer>> blindHosts;
    std::map<std::string, std::set<std::string>> offline;
};

Observed randomWorld(Random& rng, const spec::Cluster& cluster, Hidden& hidden, TimePoint now) {
    Observed world = emptyWorld(cluster);
    for (const auto& node : cluster.nodes) {
        const bool absent = node.state == spec::DesiredState::Absent;
        if (absent ? rng.chance(50) : rng.chance(10)) {
            continue;  // no container
        }
        const spec::Node* as = &node;
        spec::Node present = node;
        if (absent) {
            present.state =
                rng.chance(50) ? spec::DesiredState::Running : spec::DesiredState::Stopped;
            as = &present;
        }
        ObservedContainer c = makeContainer(cluster, *as);
        ObservedNode inside = makeInside(cluster, *as);
        if (rng.chance(10)) {
            c.power = c.power == PowerState::Running ? PowerState::Stopped : PowerState::Running;
            inside.service =
                c.power == PowerState::Running ? ServiceState::Active : ServiceState::Inactive;
        }
        if (rng.chance(20)) {
            inside.version = rng.chance(80) ? std::optional(version("24.1.0")) : std::nullopt;
        }
        if (rng.chance(10)) {
            inside.configFingerprint = rng.chance(50) ? "" : "0000000000000000";
        }
        if (c.power == PowerState::Running) {
            const int s = rng.between(1, 100);
            inside.service = s <= 5    ? ServiceState::Failed
                             : s <= 10 ? ServiceState::Inactive
                             : s <= 13 ? ServiceState::Unknown
                                       : inside.service;
        }
        if (rng.chance(5)) {
            inside.health = Health::NotReady;
        }
        if (rng.chance(10)) {
            c.resources = randomResources(rng);
        }
        if (rng.chance(5)) {
            c.hostname = "renamed-" + node.name;
        }
        if (rng.chance(3)) {
            c.bridge = "vmbr9";
        }
        const int owner = rng.between(1, 100);
        if (owner <= 5) {
            c.owner.reset();
        } else if (owner <= 8) {
            c.owner = OwnerMarker{"prod", node.name};
        } else if (owner <= 10) {
            c.owner = OwnerMarker{"lab", "someone-else"};
        }
        if (rng.chance(5)) {
            c.lock = rng.pick(std::vector<std::string>{"backup", "snapshot", "disk"});
        }
        if (rng.chance(2)) {
            c.power = PowerState::Unknown;
        }
        const spec::Host* host = cluster.findHost(node.host);
        if (host->pveNodes.size() == 2 && rng.chance(3)) {
            c.pveNode = host->pveNodes[0] == node.pveNode ? host->pveNodes[1] : host->pveNodes[0];
        }
        if (rng.chance(3)) {
            inside.operationInFlight = true;
        }
        if (rng.chance(5)) {
            inside.attempts = rng.between(1, 5);
            inside.retryAfter = now + std::chrono::seconds(rng.between(-60, 150));
        }
        if (rng.chance(2)) {
            inside.permanentFailure = true;
        }
        if (rng.chance(3)) {
            world.pausedNodes.insert(node.name);
        }
        world.hosts[node.host].containers.push_back(c);
        world.nodes[node.name] = inside;
    }
    int extra = 900;
    for (const auto& host : cluster.hosts) {
        auto& observed = world.hosts[host.name];
        for (int k = rng.between(0, 2); k > 0; --k) {
            ObservedContainer c;
            c.vmid = ++extra;
            c.pveNode = host.pveNodes.empty() ? "" : rng.pick(host.pveNodes);
            c.power = rng.chance(50) ? PowerState::Running : PowerState::Stopped;
            const int kind = rng.between(1, 100);
            if (kind <= 50) {
                c.owner = OwnerMarker{"lab", "retired" + std::to_string(c.vmid)};
                if (rng.chance(10)) {
                    world.nodes[c.owner->node].operationInFlight = true;
                }
            } else if (kind <= 65) {
                c.owner = OwnerMarker{"lab", rng.pick(cluster.nodes).name};  // stale marker
            } else if (kind <= 85) {
                c.owner = OwnerMarker{"prod", "x" + std::to_string(c.vmid)};
            }
            observed.containers.push_back(c);
        }
        std::shuffle(observed.containers.begin(), observed.containers.end(), rng.engine());
        if (rng.chance(10)) {
            observed.reachable = false;
            observed.error = "connection refused";
            hidden.blindHosts[host.name] = std::exchange(observed.containers, {});
        } else if (host.pveNodes.size() == 2 && rng.chance(8)) {
            observed.offlinePveNodes = {host.pveNodes[1]};
            hidden.offline[host.name] = observed.offlinePveNodes;
        }
    }
    world.pausedAll = rng.chance(2);
    return world;
}

// Time passes between plans: operations finish, probes report, locks clear, blind hosts come
// back, operators unpause and fix failures.
void evolve(Observed& world, Hidden& hidden, int pass) {
    for (auto& [name, host] : world.hosts) {
        for (auto& c : host.containers) {
            if (pass >= 0) {
                c.lock.clear();
                if (c.power == PowerState::Unknown) {
                    c.power = PowerState::Stopped;
                }
            }
        }
    }
    for (auto& [name, inside] : world.nodes) {
        inside.operationInFlight = false;
        if (inside.health == Health::NotReady) {
            inside.health = Health::Ready;
        }
        if (pass >= 1) {
            inside.permanentFailure = false;
        }
    }
    if (pass >= 1) {
        for (auto& [name, containers] : hidden.blindHosts) {
            auto& host = world.hosts[name];
            host.reachable = true;
            host.error.clear();
            for (auto& c : containers) {
                host.containers.push_back(std::move(c));
            }
        }
        hidden.blindHosts.clear();
        for (auto& [name, offline] : hidden.offline) {
            world.hosts[name].offlinePveNodes.clear();
        }
        world.pausedAll = false;
        world.pausedNodes.clear();
    }
}

bool knownPermanentWait(const std::string& reason) {
    return reason.starts_with("validator budget of ") ||
           reason.find(" below quorum (") != std::string::npos ||
           reason.starts_with("waiting for sentries and RPC nodes of ");
}

// Fails the test with the seed, the pass, the broken invariant and the plan.
void requireSafe(const spec::Cluster& cluster, const Observed& world, const Plan& p, TimePoint now,
                 unsigned seed, int pass) {
    const std::string violation = firstViolation(cluster, world, p, now);
    if (!violation.empty()) {
        FAIL("seed " << seed << " pass " << pass << ": " << violation << "\n" << formatPlan(p));
    }
}

TEST_CASE("property: every plan keeps the safety invariants and is deterministic",
          "[plan][property]") {
    int actions = 0;
    int waiting = 0;
    for (unsigned seed = 1; seed <= kSeeds; ++seed) {
        Random rng(seed);
        const spec::Cluster cluster = randomCluster(rng);
        Hidden hidden;
        const TimePoint now = fixedNow();
        const Observed world = randomWorld(rng, cluster, hidden, now);
        const Plan p = plan(cluster, world, now);
        requireSafe(cluster, world, p, now, seed, 0);

        Observed shuffled = world;
        for (auto& [name, host] : shuffled.hosts) {
            std::shuffle(host.containers.begin(), host.containers.end(), rng.engine());
        }
        if (plan(cluster, shuffled, now) != p) {
            FAIL("seed " << seed << ": the plan depends on the listing order\n" << formatPlan(p));
        }
        actions += static_cast<int>(p.actions.size());
        waiting += static_cast<int>(p.waiting.size());
    }
    // The generator must exercise the planner, not produce empty worlds.
    CHECK(actions > kSeeds * 5);
    CHECK(waiting > kSeeds);
}

TEST_CASE("property: repeated plan and apply converges and stays converged",
          "[plan][property][convergence]") {
    int maxPasses = 0;
    int applied = 0;
    for (unsigned seed = 1; seed <= kSeeds; ++seed) {
        Random rng(seed + 1'000'000);
        const spec::Cluster cluster = randomCluster(rng);
        Hidden hidden;
        TimePoint now = fixedNow();
        Observed world = randomWorld(rng, cluster, hidden, now);
        const int limit = 3 * static_cast<int>(cluster.nodes.size()) + 5;
        bool converged = false;
        for (int pass = 0; pass <= limit && !converged; ++pass) {
            const Plan p = plan(cluster, world, now);
            requireSafe(cluster, world, p, now, seed, pass);
            // Once every hold has lapsed (pass > 3), an empty plan must be final.
            if (pass > 3 && p.actions.empty()) {
                INFO("seed " << seed << " pass " << pass << "\n" << formatPlan(p));
                converged = true;
                maxPasses = std::max(maxPasses, pass);
                REQUIRE(plan(cluster, world, now + std::chrono::seconds(1)).actions.empty());
                for (const auto& w : p.waiting) {
                    INFO(w.node << ": " << w.reason);
                    CHECK(knownPermanentWait(w.reason));
                }
                for (const auto& node : cluster.nodes) {
                    if (!differsFromSpec(cluster, world, node)) {
                        continue;
                    }
                    INFO("unexplained difference: " << describeObserved(cluster, world, node));
                    const bool explained =
                        !waitingReason(p, node.name).empty() || !noticesOf(p, node.name).empty();
                    CHECK(explained);
                }
                break;
            }
            for (const auto& action : p.actions) {
                if (const std::string error = applyAction(cluster, world, action); !error.empty()) {
                    FAIL("seed " << seed << " pass " << pass << ": " << error << "\n"
                                 << formatPlan(p));
                }
            }
            ++applied;
            evolve(world, hidden, pass);
            now += std::chrono::seconds(60);
        }
        INFO("seed " << seed << " did not converge in " << limit << " passes");
        REQUIRE(converged);
    }
    CHECK(maxPasses > 4);  // some worlds need real work
    CHECK(applied > kSeeds * 4);
}

}  // namespace
}  // namespace chainvisor::plan
