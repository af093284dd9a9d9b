// The shipped examples in etc/examples/ must load clean: they are what operators copy.
#include <algorithm>

#include "test_support.h"

using namespace chainvisor::spec;
using namespace chainvisor::spec::test;

namespace {

Cluster loadExample(const std::string& name) {
    const auto result = loadClusterFile(sourcePath("etc/examples/" + name), fixtureFiles());
    INFO(name << ":\n" << joined(withoutFile(result)));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());  // not even a warning
    return *result.cluster;
}

int count(const Cluster& c, Role role) {
    return static_cast<int>(std::count_if(c.nodes.begin(), c.nodes.end(),
                                          [&](const Node& n) { return n.role == role; }));
}

}  // namespace

TEST_CASE("local-devnet.yaml: four validators and an RPC node on the local host",
          "[spec][examples]") {
    const Cluster c = loadExample("local-devnet.yaml");
    CHECK(c.name == "local-devnet");
    REQUIRE(c.hosts.size() == 1);
    CHECK(c.hosts[0].name == "local");
    CHECK(c.hosts[0].type == HostType::Local);
    REQUIRE(c.networks.size() == 1);
    const Network& net = c.networks[0];
    CHECK(net.name == "devnet");
    CHECK(net.kind == NetworkKind::Besu);
    CHECK(net.consensus == Consensus::Qbft);
    CHECK(net.chainId == 1337);
    CHECK(net.version == *Version::parse("26.1.0"));
    CHECK(net.source.path == "/var/cache/chainvisor/besu-26.1.0.tar.gz");
    CHECK(net.validatorsDisrupted == 1);
    REQUIRE(c.nodes.size() == 5);
    CHECK(count(c, Role::Validator) == 4);
    CHECK(count(c, Role::Rpc) == 1);
    CHECK(c.validatorsOf("devnet").size() == 4);
    for (std::size_t i = 0; i < c.nodes.size(); ++i) {
        const Node& n = c.nodes[i];
        INFO(n.name);
        CHECK(n.vmid == 101 + static_cast<int>(i));
        REQUIRE(n.ip);
        CHECK(n.ip->str() == "10.99.0." + std::to_string(11 + i) + "/24");
        REQUIRE(n.gateway);
        CHECK(n.gateway->str() == "10.99.0.1");
        CHECK(n.bridge == "cvbr0");
        CHECK(n.resources.cores == 1);
        CHECK(n.resources.diskGiB == 4);
        CHECK(n.resources.memoryMiB >= 1024);
        CHECK(n.resources.memoryMiB <= 2048);
        CHECK(n.pveNode.empty());
        CHECK(n.ports == Ports{30303, 8545, 9545});
    }
    CHECK(c.nodes[4].resources.memoryMiB == 1024);
    CHECK(std::get<std::int64_t>(c.nodes[4].config.at("min-gas-price")) == 0);
}

TEST_CASE("proxmox-validated-set.yaml: five validators, sentries and RPC over two Proxmox nodes",
          "[spec][examples]") {
    const Cluster c = loadExample("proxmox-validated-set.yaml");
    REQUIRE(c.hosts.size() == 1);
    const Host& pve = c.hosts[0];
    CHECK(pve.type == HostType::Proxmox);
    CHECK(pve.pveNodes == std::vector<std::string>{"pve1", "pve2"});
    REQUIRE(pve.api);
    CHECK(pve.api->url == "https://pve1.example.com:8006/api2/json");
    CHECK(pve.api->tokenId == "root@pam!chainvisor");
    CHECK(pve.api->tokenSecretEnv == "PVE_TOKEN");
    CHECK(pve.api->tokenSecretFile.empty());
    CHECK(pve.api->tls.fingerprintSha256.size() == 95);
    REQUIRE(c.networks.size() == 1);
    CHECK(c.networks[0].chainId == 138);
    CHECK(c.networks[0].consensus == Consensus::Qbft);
    CHECK(c.networks[0].validatorsDisrupted == 1);
    CHECK(count(c, Role::Validator) == 5);
    CHECK(count(c, Role::Sentry) == 2);
    CHECK(count(c, Role::Rpc) == 2);
    std::vector<int> validatorVmids;
    int onPve1 = 0;
    int onPve2 = 0;
    for (const Node& n : c.nodes) {
        if (n.role == Role::Validator) {
            validatorVmids.push_back(n.vmid);
        }
        onPve1 += n.pveNode == "pve1";
        onPve2 += n.pveNode == "pve2";
    }
    CHECK(validatorVmids == std::vector<int>{106, 107, 108, 109, 110});
    CHECK(onPve1 > 0);
    CHECK(onPve2 > 0);
    CHECK(onPve1 + onPve2 == static_cast<int>(c.nodes.size()));
}

TEST_CASE("bitcell-multiregion.yaml: seven BitCell nodes over four regions", "[spec][examples]") {
    const Cluster c = loadExample("bitcell-multiregion.yaml");
    REQUIRE(c.networks.size() == 1);
    CHECK(c.networks[0].kind == NetworkKind::Bitcell);
    CHECK(c.networks[0].consensus == Consensus::None);
    REQUIRE(c.nodes.size() == 7);
    std::map<std::string, int> regions;
    for (const Node& n : c.nodes) {
        regions[n.labels.at("region")]++;
        CHECK(n.ports.metrics == n.ports.p2p + 2);
    }
    CHECK(regions == std::map<std::string, int>{
                         {"us-east", 2}, {"us-west", 2}, {"eu-central", 2}, {"ap-southeast", 1}});
    CHECK(count(c, Role::Validator) > 0);
    CHECK(count(c, Role::Miner) > 0);
    CHECK(count(c, Role::Full) > 0);
}

TEST_CASE("Examples use only documentation addresses", "[spec][examples]") {
    for (const char* name :
         {"local-devnet.yaml", "proxmox-validated-set.yaml", "bitcell-multiregion.yaml"}) {
        const std::string text = readText(sourcePath(std::string("etc/examples/") + name));
        std::size_t pos = 0;
        while ((pos = text.find("://", pos)) != std::string::npos) {
            pos += 3;
            const auto end = text.find_first_of(":/\" \n", pos);
            const std::string host = text.substr(pos, end - pos);
            INFO(name << ": " << host);
            const bool documentation =
                host == "example.com" ||
                (host.size() > 12 && host.compare(host.size() - 12, 12, ".example.com") == 0) ||
                host.rfind("0123456789abcdef", 0) == 0;  // the enode placeholder's key
            CHECK(documentation);
        }
    }
}

TEST_CASE("The reference's complete example loads clean", "[spec][examples]") {
    const std::string doc = readText(sourcePath("etc/cluster-file-reference.md"));
    const std::string fence = "```yaml\n";
    const auto start = doc.rfind(fence);
    REQUIRE(start != std::string::npos);
    const auto end = doc.find("```", start + fence.size());
    REQUIRE(end != std::string::npos);
    const std::string example = doc.substr(start + fence.size(), end - start - fence.size());
    const auto result = loadText(example);
    INFO(example << "\n" << joined(withoutFile(result)));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    CHECK(result.cluster->nodes.size() == 5);
}
