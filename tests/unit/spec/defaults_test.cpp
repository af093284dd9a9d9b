// Every default is resolved into the loaded value, so nothing downstream derives one again.
#include "test_support.h"

using namespace chainvisor::spec;
using namespace chainvisor::spec::test;
using namespace std::chrono_literals;

namespace {

Cluster loadGood(const std::string& name) {
    const auto result =
        loadClusterFile(sourcePath("tests/fixtures/clusters/good/" + name), fixtureFiles());
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    return *result.cluster;
}

}  // namespace

TEST_CASE("A minimal file resolves every default", "[spec][defaults]") {
    const Cluster c = loadGood("minimal.yaml");
    CHECK(c.defaults.osTemplate.empty());
    CHECK(c.defaults.storage == "local-lvm");
    CHECK(c.defaults.bridge == "vmbr0");
    CHECK(c.defaults.resources == Resources{2, 2048, 512, 16});
    CHECK(c.hosts[0].maxConcurrentOperations == 2);

    const Network& net = c.networks[0];
    CHECK(net.consensus == Consensus::Qbft);
    CHECK(net.genesis.file.empty());
    CHECK(net.genesis.blockPeriodSeconds == 2);
    CHECK(net.genesis.epochLength == 30000);
    CHECK(net.genesis.requestTimeoutSeconds == 4);
    CHECK(net.validatorsDisrupted == 1);  // min(policy 1, f = 1)

    REQUIRE(c.nodes.size() == 4);
    const Node& n = c.nodes[0];
    CHECK(n.hostname == "val1");
    CHECK(n.bridge == "vmbr0");
    CHECK(n.storage == "local-lvm");
    CHECK(n.osTemplate.empty());
    CHECK(n.resources == Resources{2, 2048, 512, 16});
    CHECK(n.ports == Ports{30303, 8545, 9545});
    CHECK(n.state == DesiredState::Running);
    CHECK_FALSE(n.adopt);
    CHECK(n.keyFile.empty());
    CHECK(n.pveNode.empty());
    CHECK_FALSE(n.ip);
    CHECK_FALSE(n.gateway);
    CHECK(n.labels.empty());
    CHECK(n.config.empty());

    const Policy& p = c.policy;
    CHECK(p.resyncInterval == 30s);
    CHECK(p.probeInterval == 10s);
    CHECK(p.budgets.validatorsDisrupted == 1);
    CHECK(p.budgets.perHostConcurrent == 2);
    CHECK(p.budgets.globalConcurrent == 8);
    CHECK(p.deletion == DeletionPolicy::Orphan);
    CHECK(p.snapshotBeforeDisruptive);
    CHECK(p.healthGate.timeout == 600s);
    CHECK(p.healthGate.minPeers == 1);
    CHECK(p.healthGate.maxBlocksBehind == 2);
}

TEST_CASE("A proxmox host: pveNode, port, URL, fingerprint and budgets resolve",
          "[spec][defaults]") {
    const Cluster c = loadGood("proxmox-single-node.yaml");
    const Host& h = c.hosts[0];
    CHECK(h.maxConcurrentOperations == 3);  // policy.budgets.perHostConcurrent
    REQUIRE(h.api);
    CHECK(h.api->url == "https://pve1.example.com:8006/api2/json");  // normalised
    CHECK(h.api->tokenSecretFile == "/etc/chainvisor/pve-token");
    CHECK(h.api->tls.fingerprintSha256 ==
          "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:"
          "77:88:99");
    REQUIRE(h.ssh);
    CHECK(h.ssh->port == 2222);
    CHECK(h.ssh->user == "root");
    CHECK_FALSE(h.ssh->useAgent);

    const Network& net = c.networks[0];
    CHECK(net.consensus == Consensus::Ibft2);
    CHECK(net.chainId == 9007199254740991ULL);
    CHECK(net.version.suffix == "RC1");
    CHECK(net.source.sha256 ==
          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");  // lower-cased
    // Seven validators: f = 2; policy says 5, so the resolved budget is min(5, 2).
    CHECK(net.validatorsDisrupted == 2);

    for (const Node& n : c.nodes) {
        CHECK(n.pveNode == "pve1");  // the host's only Proxmox node
    }
    const Node& rpc = c.nodes.back();
    CHECK(rpc.hostname == "rpc-one");  // stored lower-case
    CHECK(rpc.keyFile == "/etc/chainvisor/keys/val1.key");
    CHECK(rpc.state == DesiredState::Stopped);
    CHECK(rpc.adopt);
}

TEST_CASE("BitCell nodes get BitCell ports, metrics always on p2p + 2", "[spec][defaults]") {
    const Cluster c = loadGood("bitcell.yaml");
    CHECK(c.networks[0].consensus == Consensus::None);
    CHECK(c.networks[0].chainId == 0);
    CHECK(c.nodes[0].ports == Ports{30333, 30334, 30335});
    CHECK(c.nodes[1].ports == Ports{31000, 30334, 31002});
    CHECK(c.nodes[2].ports == Ports{30333, 31001, 30335});
    // One validator: f = 0, so nothing may be disrupted.
    CHECK(c.networks[0].validatorsDisrupted == 0);
}

TEST_CASE("Merge keys share settings, a node's own keys win, resources merge over defaults",
          "[spec][defaults]") {
    const Cluster c = loadGood("merge-keys.yaml");
    REQUIRE(c.nodes.size() == 4);
    CHECK(c.nodes[1].name == "val2");
    CHECK(c.nodes[1].vmid == 102);
    CHECK(c.nodes[1].network == "devnet");
    CHECK(c.nodes[1].resources == Resources{4, 2048, 512, 16});
    CHECK(c.nodes[2].resources == Resources{2, 4096, 512, 16});  // its own mapping replaces
    CHECK(c.nodes[3].labels.at("region") == "us-east");
    CHECK(c.nodes[3].role == Role::Validator);
}

TEST_CASE("Node settings override defaults", "[spec][defaults]") {
    const std::string text = kMinimalHead + R"(defaults:
  osTemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  storage: fast-zfs
  bridge: vmbr1
  resources: {cores: 3, diskGiB: 40}
nodes:
  - {name: val1, network: devnet, role: validator, host: local, vmid: 101}
  - {name: val2, network: devnet, role: validator, host: local, vmid: 102, bridge: vmbr9,
     storage: other, osTemplate: "local:vztmpl/custom.tar.zst", resources: {memoryMiB: 512},
     ports: {p2p: 30304, rpc: 8546, metrics: 9546}, hostname: second}
  - {name: val3, network: devnet, role: validator, host: local, vmid: 103}
  - {name: val4, network: devnet, role: validator, host: local, vmid: 104}
policy:
  budgets: {validatorsDisrupted: 0}
)";
    const auto result = loadText(text);
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    const Cluster& c = *result.cluster;
    CHECK(c.nodes[0].osTemplate == "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst");
    CHECK(c.nodes[0].storage == "fast-zfs");
    CHECK(c.nodes[0].bridge == "vmbr1");
    CHECK(c.nodes[0].resources == Resources{3, 2048, 512, 40});
    CHECK(c.nodes[1].bridge == "vmbr9");
    CHECK(c.nodes[1].storage == "other");
    CHECK(c.nodes[1].osTemplate == "local:vztmpl/custom.tar.zst");
    CHECK(c.nodes[1].resources == Resources{3, 512, 512, 40});
    CHECK(c.nodes[1].ports == Ports{30304, 8546, 9546});
    CHECK(c.nodes[1].hostname == "second");
    CHECK(c.networks[0].validatorsDisrupted == 0);  // min(policy 0, f = 1)
}

TEST_CASE("An explicit network budget is kept as written", "[spec][defaults]") {
    std::string text = fourValidators();
    text.insert(text.find("nodes:"), "    budget: {validatorsDisrupted: 0}\n");
    const auto result = loadText(text);
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    CHECK(result.cluster->networks[0].validatorsDisrupted == 0);
}

TEST_CASE("Config values keep their YAML types", "[spec][defaults]") {
    const auto result = loadText(fourValidators(
        ", config: {min-gas-price: 0, logging: INFO, sync-mode: \"FULL\", discovery-enabled: "
        "false, tx-pool-max-size: -1, bootnodes: [\"enode://a@192.0.2.1:30303\", 5], "
        "quoted-bool: \"true\", number-like: \"42\"}"));
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    const auto& config = result.cluster->nodes[0].config;
    CHECK(std::get<std::int64_t>(config.at("min-gas-price")) == 0);
    CHECK(std::get<std::int64_t>(config.at("tx-pool-max-size")) == -1);
    CHECK(std::get<std::string>(config.at("logging")) == "INFO");
    CHECK(std::get<std::string>(config.at("sync-mode")) == "FULL");
    CHECK(std::get<bool>(config.at("discovery-enabled")) == false);
    CHECK(std::get<std::string>(config.at("quoted-bool")) == "true");
    CHECK(std::get<std::string>(config.at("number-like")) == "42");
    CHECK(std::get<std::vector<std::string>>(config.at("bootnodes")) ==
          std::vector<std::string>{"enode://a@192.0.2.1:30303", "5"});
}
