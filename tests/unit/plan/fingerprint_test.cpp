// desiredConfigFingerprint: what changes a node's config, and what does not.
#include <functional>

#include "builder.h"

namespace chainvisor::plan {
namespace {

using namespace testing;

spec::Cluster sample() {
    spec::Cluster cluster = devnet(4, 1, 1);
    addNetwork(cluster, "other");
    addNode(cluster, "o1", "other", spec::Role::Validator, "pve1", 601);
    cluster.nodes[0].config["min-gas-price"] = std::int64_t{0};
    cluster.nodes[0].config["sync-mode"] = std::string("FULL");
    return cluster;
}

std::string fingerprintOfVal1(const spec::Cluster& cluster) {
    const spec::Node* node = cluster.findNode("val1");
    REQUIRE(node != nullptr);
    return desiredConfigFingerprint(cluster, *node);
}

TEST_CASE("fingerprint: 16 lower-case hex digits, the same every time", "[plan][fingerprint]") {
    const spec::Cluster cluster = sample();
    const std::string fp = fingerprintOfVal1(cluster);
    REQUIRE(fp.size() == 16);
    CHECK(fp.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(fingerprintOfVal1(sample()) == fp);
    CHECK(desiredConfigFingerprint(cluster, cluster.nodes[1]) != fp);  // another node
}

struct Mutation {
    const char* name;
    std::function<void(spec::Cluster&)> apply;
};

TEST_CASE("fingerprint: everything that reaches the config files changes it",
          "[plan][fingerprint]") {
    const std::vector<Mutation> changes = {
        {"chain id", [](spec::Cluster& c) { c.networks[0].chainId = 2025; }},
        {"network name",
         [](spec::Cluster& c) {
             c.networks[0].name = "testnet";
             for (auto& n : c.nodes) {
                 if (n.network == "devnet") {
                     n.network = "testnet";
                 }
             }
         }},
        {"consensus", [](spec::Cluster& c) { c.networks[0].consensus = spec::Consensus::Ibft2; }},
        {"network kind", [](spec::Cluster& c) { c.networks[0].kind = spec::NetworkKind::Bitcell; }},
        {"block period", [](spec::Cluster& c) { c.networks[0].genesis.blockPeriodSeconds = 5; }},
        {"epoch", [](spec::Cluster& c) { c.networks[0].genesis.epochLength = 100; }},
        {"request timeout",
         [](spec::Cluster& c) { c.networks[0].genesis.requestTimeoutSeconds = 9; }},
        {"genesis file",
         [](spec::Cluster& c) { c.networks[0].genesis.file = "/etc/genesis.json"; }},
        {"role", [](spec::Cluster& c) { nodeOf(c, "val1").role = spec::Role::Sentry; }},
        {"p2p port", [](spec::Cluster& c) { nodeOf(c, "val1").ports.p2p = 30304; }},
        {"rpc port", [](spec::Cluster& c) { nodeOf(c, "val1").ports.rpc = 8546; }},
        {"metrics port", [](spec::Cluster& c) { nodeOf(c, "val1").ports.metrics = 9546; }},
        {"own ip", [](spec::Cluster& c) { nodeOf(c, "val1").ip->address.value += 1; }},
        {"own ip to dhcp", [](spec::Cluster& c) { nodeOf(c, "val1").ip.reset(); }},
        {"key file", [](spec::Cluster& c) { nodeOf(c, "val1").keyFile = "/etc/keys/val1"; }},
        {"config value",
         [](spec::Cluster& c) { nodeOf(c, "val1").config["sync-mode"] = std::string("SNAP"); }},
        {"config type",
         [](spec::Cluster& c) { nodeOf(c, "val1").config["min-gas-price"] = std::string("0"); }},
        {"config added", [](spec::Cluster& c) { nodeOf(c, "val1").config["logging"] = true; }},
        {"config removed", [](spec::Cluster& c) { nodeOf(c, "val1").config.erase("sync-mode"); }},
        {"peer ip", [](spec::Cluster& c) { nodeOf(c, "sentry1").ip->address.value += 9; }},
        {"peer p2p port", [](spec::Cluster& c) { nodeOf(c, "rpc1").ports.p2p = 30310; }},
        {"peer role", [](spec::Cluster& c) { nodeOf(c, "val4").role = spec::Role::Full; }},
        {"peer renamed", [](spec::Cluster& c) { nodeOf(c, "val4").name = "val9"; }},
        {"peer added",
         [](spec::Cluster& c) {
             addNode(c, "val5", "devnet", spec::Role::Validator, "pve1", 105);
         }},
        {"peer absent",
         [](spec::Cluster& c) { nodeOf(c, "val4").state = spec::DesiredState::Absent; }},
    };
    const std::string before = fingerprintOfVal1(sample());
    for (const auto& change : changes) {
        DYNAMIC_SECTION(change.name) {
            spec::Cluster cluster = sample();
            change.apply(cluster);
            CHECK(fingerprintOfVal1(cluster) != before);
        }
    }
}

TEST_CASE("fingerprint: what does not reach the config files leaves it alone",
          "[plan][fingerprint]") {
    const std::vector<Mutation> same = {
        {"version", [](spec::Cluster& c) { c.networks[0].version = version("25.1.0"); }},
        {"software source", [](spec::Cluster& c) { c.networks[0].source.url = "https://x/y.tgz"; }},
        {"resources",
         [](spec::Cluster& c) {
             nodeOf(c, "val1").resources = {8, 16384, 0, 200};
         }},
        {"hostname", [](spec::Cluster& c) { nodeOf(c, "val1").hostname = "validator-one"; }},
        {"gateway", [](spec::Cluster& c) { nodeOf(c, "val1").gateway.reset(); }},
        {"placement",
         [](spec::Cluster& c) {
             addHost(c, "pve2", {"pve2"});
             nodeOf(c, "val1").host = "pve2";
             nodeOf(c, "val1").pveNode = "pve2";
             nodeOf(c, "val1").vmid = 900;
         }},
        {"peer stopped",
         [](spec::Cluster& c) { nodeOf(c, "val2").state = spec::DesiredState::Stopped; }},
        {"peer resources", [](spec::Cluster& c) { nodeOf(c, "val2").resources.cores = 16; }},
        {"node order", [](spec::Cluster& c) { std::reverse(c.nodes.begin(), c.nodes.end()); }},
        {"other network's node", [](spec::Cluster& c) { nodeOf(c, "o1").ports.p2p = 40000; }},
        {"other network's version",
         [](spec::Cluster& c) { c.networks[1].version = version("1.0.0"); }},
        {"labels and adopt",
         [](spec::Cluster& c) {
             nodeOf(c, "val1").labels["team"] = "infra";
             nodeOf(c, "val1").adopt = true;
         }},
        {"policy", [](spec::Cluster& c) { c.policy.deletion = spec::DeletionPolicy::Delete; }},
    };
    const std::string before = fingerprintOfVal1(sample());
    for (const auto& change : same) {
        DYNAMIC_SECTION(change.name) {
            spec::Cluster cluster = sample();
            change.apply(cluster);
            CHECK(fingerprintOfVal1(cluster) == before);
        }
    }
}

TEST_CASE("fingerprint: values cannot collide by concatenation", "[plan][fingerprint]") {
    spec::Cluster a = sample();
    spec::Cluster b = sample();
    nodeOf(a, "val1").config = {{"ab", std::string("c")}};
    nodeOf(b, "val1").config = {{"a", std::string("bc")}};
    CHECK(fingerprintOfVal1(a) != fingerprintOfVal1(b));
    nodeOf(a, "val1").config = {{"peers", std::vector<std::string>{"a,b"}}};
    nodeOf(b, "val1").config = {{"peers", std::vector<std::string>{"a", "b"}}};
    CHECK(fingerprintOfVal1(a) != fingerprintOfVal1(b));
    nodeOf(a, "val1").config = {{"flag", true}};
    nodeOf(b, "val1").config = {{"flag", std::string("true")}};
    CHECK(fingerprintOfVal1(a) != fingerprintOfVal1(b));
}

}  // namespace
}  // namespace chainvisor::plan

namespace chainvisor::plan {
namespace {

spec::Cluster services() {
    spec::Cluster cluster = testing::makeCluster();
    testing::addHost(cluster, "pve1", {"pve1"});
    auto& network = testing::addNetwork(cluster, "web", "1.0.0");
    network.kind = spec::NetworkKind::Service;
    network.consensus = spec::Consensus::None;
    network.service = spec::ServiceSpec{};
    network.service->command = {"/usr/bin/python3", "-m", "http.server", "8080"};
    network.service->files = {{"/srv/www/index.html", "hello\n", 0644}};
    network.service->probe = spec::HttpProbeSpec{};
    testing::addNode(cluster, "web1", "web", spec::Role::Service, "pve1", 201);
    testing::addNode(cluster, "web2", "web", spec::Role::Service, "pve1", 202);
    return cluster;
}

std::string fingerprintOfWeb1(const spec::Cluster& cluster) {
    return desiredConfigFingerprint(cluster, cluster.nodes[0]);
}

TEST_CASE("fingerprint: a service's command, files, user and environment change it",
          "[plan][fingerprint]") {
    const std::string base = fingerprintOfWeb1(services());
    const std::vector<Mutation> changes = {
        {"command", [](spec::Cluster& c) { c.networks[0].service->command.back() = "8081"; }},
        {"file content",
         [](spec::Cluster& c) { c.networks[0].service->files[0].content = "bye\n"; }},
        {"file mode", [](spec::Cluster& c) { c.networks[0].service->files[0].mode = 0600; }},
        {"user", [](spec::Cluster& c) { c.networks[0].service->user = "nobody"; }},
        {"environment", [](spec::Cluster& c) { c.networks[0].service->environment["A"] = "1"; }},
        {"unit", [](spec::Cluster& c) { c.networks[0].service->unit = "demo"; }},
    };
    for (const auto& change : changes) {
        INFO(change.name);
        auto cluster = services();
        change.apply(cluster);
        CHECK(fingerprintOfWeb1(cluster) != base);
    }
}

TEST_CASE("fingerprint: a service's probe and its fellow nodes leave it alone",
          "[plan][fingerprint]") {
    const std::string base = fingerprintOfWeb1(services());
    auto probe = services();
    probe.networks[0].service->probe->path = "/health";
    CHECK(fingerprintOfWeb1(probe) == base);
    auto joined = services();
    testing::addNode(joined, "web3", "web", spec::Role::Service, "pve1", 203);
    CHECK(fingerprintOfWeb1(joined) == base);
}

}  // namespace
}  // namespace chainvisor::plan
