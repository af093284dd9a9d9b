#include "harness.h"

#include <stdlib.h>

#include <algorithm>
#include <stdexcept>

namespace chainvisor::engine::testing {

TempDir::TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "chainvisor-engine-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

spec::Cluster makeCluster(int validators, const std::vector<std::string>& hosts) {
    spec::Cluster cluster;
    cluster.name = "test";
    for (const auto& name : hosts) {
        spec::Host host;
        host.name = name;
        host.type = spec::HostType::Local;
        host.maxConcurrentOperations = 2;
        cluster.hosts.push_back(host);
    }
    cluster.defaults.osTemplate = "debian-12";
    cluster.defaults.storage = "local";
    cluster.defaults.bridge = "lxcbr0";
    spec::Network network;
    network.name = "devnet";
    network.kind = spec::NetworkKind::Besu;
    network.consensus = spec::Consensus::Qbft;
    network.chainId = 1337;
    network.version = *spec::Version::parse("24.1.0");
    network.validatorsDisrupted = std::min(1, spec::faultTolerance(validators));
    cluster.networks.push_back(network);
    for (int i = 1; i <= validators; ++i) {
        spec::Node node;
        node.name = "val" + std::to_string(i);
        node.network = "devnet";
        node.role = spec::Role::Validator;
        node.host = hosts[static_cast<std::size_t>(i - 1) % hosts.size()];
        node.vmid = 100 + i;
        node.hostname = node.name;
        node.ip = spec::Ipv4Cidr::parse("10.0.0." + std::to_string(10 + i) + "/24");
        node.gateway = spec::Ipv4Address::parse("10.0.0.1");
        node.bridge = "lxcbr0";
        node.osTemplate = "debian-12";
        node.storage = "local";
        node.ports = spec::Ports{30303, 8545, 9545};
        cluster.nodes.push_back(node);
    }
    return cluster;
}

spec::Node& addNode(spec::Cluster& cluster, const std::string& name, spec::Role role,
                    const std::string& host) {
    const auto extra = std::count_if(cluster.nodes.begin(), cluster.nodes.end(),
                                     [](const spec::Node& n) { return n.vmid > 200; });
    spec::Node node;
    node.name = name;
    node.network = "devnet";
    node.role = role;
    node.host = host;
    node.vmid = 201 + static_cast<int>(extra);
    node.hostname = name;
    node.ip = spec::Ipv4Cidr::parse("10.0.1." + std::to_string(10 + extra) + "/24");
    node.gateway = spec::Ipv4Address::parse("10.0.1.1");
    node.bridge = "lxcbr0";
    node.osTemplate = "debian-12";
    node.storage = "local";
    node.ports = spec::Ports{30303, 8545, 9545};
    cluster.nodes.push_back(node);
    return cluster.nodes.back();
}

spec::Node& node(spec::Cluster& cluster, const std::string& name) {
    for (auto& n : cluster.nodes) {
        if (n.name == name) {
            return n;
        }
    }
    throw std::out_of_range("no node " + name);
}

BackoffPolicy testPolicy() {
    BackoffPolicy policy;
    policy.initial = std::chrono::seconds(10);
    policy.max = std::chrono::seconds(80);
    policy.jitter = 0.2;
    policy.failedAfterAttempts = 4;
    return policy;
}

int openIntents(const std::filesystem::path& stateDir) {
    int open = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(stateDir / "intents", ec)) {
        open += entry.path().extension() == ".json" ? 1 : 0;
    }
    return open;
}

std::optional<Journal> openJournal(const std::filesystem::path& stateDir) {
    std::string error;
    auto journal = Journal::open(stateDir, error);
    if (!journal) {
        throw std::runtime_error("cannot open journal: " + error);
    }
    return journal;
}

void reopenJournal(std::optional<Journal>& journal, const std::filesystem::path& stateDir) {
    journal.reset();
    journal.emplace(std::move(*openJournal(stateDir)));
}

Harness::Harness(spec::Cluster spec, BackoffPolicy policy)
    : reconciler(std::move(spec), clock, random, events, policy) {
    for (const auto& host : reconciler.spec().hosts) {
        auto fake = std::make_unique<FakeHost>(world, host.name);
        hosts[host.name] = fake.get();
        fakeHosts[host.name] = std::move(fake);
    }
    reopenJournal(journal, stateDir.path());
}

void Harness::noteInFlight() {
    std::map<std::string, int> byNetwork;
    for (const auto& [name, status] : reconciler.nodes()) {
        const spec::Node* n = reconciler.spec().findNode(name);
        if (status.inFlight && n != nullptr && n->role == spec::Role::Validator) {
            maxValidatorChainsInFlight =
                std::max(maxValidatorChainsInFlight, ++byNetwork[n->network]);
        }
    }
}

void Harness::runStepped(std::vector<Chain> chains) {
    for (auto& chain : chains) {
        running_.push_back(Running{std::move(chain), reconciler.spec(), 0});
    }
    for (auto it = running_.begin(); it != running_.end();) {
        Running& r = *it;
        Chain one = r.chain;
        one.actions = {r.chain.actions[r.next]};
        auto outcome =
            runChain(one, r.specAtStart, *hosts.at(r.chain.node.host), agent, *journal, clock);
        r.next += outcome.completed;
        if (outcome.error || r.next == r.chain.actions.size()) {
            outcome.completed = r.next;
            reconciler.complete(outcome);
            ++completed_;
            it = running_.erase(it);
        } else {
            ++it;
        }
    }
}

std::size_t Harness::pass() {
    completed_ = 0;
    const auto epoch = reconciler.observationStarting();
    auto observed = observeAll(reconciler.spec(), hosts, agent);
    auto chains = reconciler.decide(std::move(observed), epoch);
    noteInFlight();
    const std::size_t started = chains.size();
    if (stepped) {
        runStepped(std::move(chains));
    } else {
        const spec::Cluster specAtStart = reconciler.spec();
        for (const auto& chain : chains) {
            auto outcome =
                runChain(chain, specAtStart, *hosts.at(chain.node.host), agent, *journal, clock);
            reconciler.complete(outcome);
        }
    }
    clock.advance(step);
    return started;
}

int Harness::converge(int maxPasses) {
    for (int i = 1; i <= maxPasses; ++i) {
        const std::size_t started = pass();
        const auto now = clock.now();
        const bool retryPending = std::any_of(
            reconciler.nodes().begin(), reconciler.nodes().end(),
            [&](const auto& e) { return e.second.retryAfter && *e.second.retryAfter >= now; });
        // Chains that ended in this pass may let others start in the next.
        if (started == 0 && completed_ == 0 && running_.empty() && !retryPending) {
            return i;
        }
    }
    return -1;
}

const NodeStatus& Harness::status(const std::string& node) const {
    auto it = reconciler.nodes().find(node);
    if (it == reconciler.nodes().end()) {
        throw std::out_of_range("no status for " + node);
    }
    return it->second;
}

std::vector<Event> Harness::eventsOf(const std::string& type, const std::string& node) const {
    std::vector<Event> out;
    for (auto& event : events.since(0)) {
        if (event.type == type && (node.empty() || event.node == node)) {
            out.push_back(std::move(event));
        }
    }
    return out;
}

int Harness::eventCount(const std::string& type, const std::string& node) const {
    return static_cast<int>(eventsOf(type, node).size());
}

}  // namespace chainvisor::engine::testing
