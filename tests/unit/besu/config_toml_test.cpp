// Besu's config.toml: the whole file for a validator, what changes for other roles and IBFT 2.0,
// and how the cluster file's passthrough options combine with the defaults.
#include "nodes/besu/config_toml.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes::besu {
namespace {

BesuConfig validator() {
    BesuConfig config;
    config.dataPath = "/var/lib/besu";
    config.genesisFile = "/etc/besu/genesis.json";
    config.nodePrivateKeyFile = "/etc/besu/key";
    config.validator = true;
    config.p2pHost = "10.99.0.11";
    config.probeHosts = {"10.99.0.11"};
    config.staticNodesFile = "/etc/besu/static-nodes.json";
    config.permissionsNodesConfigFile = "/etc/besu/permissions_config.toml";
    return config;
}

bool has(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("a validator's config.toml, whole", "[besu][config]") {
    CHECK(renderConfigToml(validator()) ==
          R"(# Written by chainvisord; changes here are overwritten.
data-path="/var/lib/besu"
genesis-file="/etc/besu/genesis.json"
node-private-key-file="/etc/besu/key"
p2p-host="10.99.0.11"
p2p-port=30303
static-nodes-file="/etc/besu/static-nodes.json"
permissions-nodes-config-file-enabled=true
permissions-nodes-config-file="/etc/besu/permissions_config.toml"
rpc-http-enabled=true
rpc-http-host="0.0.0.0"
rpc-http-port=8545
rpc-http-api=["ETH","NET","WEB3","ADMIN","QBFT"]
host-allowlist=["localhost","127.0.0.1","10.99.0.11"]
metrics-enabled=true
metrics-host="0.0.0.0"
metrics-port=9545
min-gas-price=0
sync-mode="FULL"
)");
}

TEST_CASE("IBFT 2.0 nodes get the IBFT API", "[besu][config]") {
    auto config = validator();
    config.consensus = Consensus::Ibft2;
    CHECK(has(renderConfigToml(config), R"(rpc-http-api=["ETH","NET","WEB3","ADMIN","IBFT"])"));
    CHECK(rpcApis(Consensus::Qbft).back() == "QBFT");
}

TEST_CASE("an RPC node: no sync mode forced, bootnodes, no peer files", "[besu][config]") {
    auto config = validator();
    config.validator = false;
    config.staticNodesFile.clear();
    config.permissionsNodesConfigFile.clear();
    config.bootnodes = {"enode://aa@10.99.0.11:30303", "enode://bb@10.99.0.12:30303"};
    config.p2pPort = 30304;
    config.rpcHttpPort = 8546;
    config.metricsPort = 9546;
    const auto text = renderConfigToml(config);
    CHECK(text.find("sync-mode") == std::string::npos);
    CHECK(text.find("static-nodes-file") == std::string::npos);
    CHECK(text.find("permissions-nodes") == std::string::npos);
    CHECK(has(text, R"(bootnodes=["enode://aa@10.99.0.11:30303","enode://bb@10.99.0.12:30303"])"));
    CHECK(has(text, "p2p-port=30304"));
    CHECK(has(text, "rpc-http-port=8546"));
    CHECK(has(text, "metrics-port=9546"));
}

TEST_CASE("the Host allowlist keeps localhost and adds each probe host once", "[besu][config]") {
    auto config = validator();
    config.probeHosts = {"127.0.0.1", "10.99.0.11", "cv-host.example", "10.99.0.11"};
    CHECK(has(renderConfigToml(config),
              R"(host-allowlist=["localhost","127.0.0.1","10.99.0.11","cv-host.example"])"));
    config.probeHosts.clear();
    config.p2pHost.clear();
    const auto text = renderConfigToml(config);
    CHECK(has(text, R"(host-allowlist=["localhost","127.0.0.1"])"));
    CHECK(text.find("p2p-host") == std::string::npos);
}

TEST_CASE("passthrough options replace a default in place or are appended", "[besu][config]") {
    auto config = validator();
    config.extra = {{"logging", std::string("DEBUG")},
                    {"min-gas-price", std::int64_t{1000}},
                    {"sync-mode", std::string("SNAP")},
                    {"discovery-enabled", false},
                    {"rpc-http-cors-origins", std::vector<std::string>{"*"}}};
    const auto text = renderConfigToml(config);
    CHECK(has(text, "min-gas-price=1000\nsync-mode=\"SNAP\"\nlogging=\"DEBUG\""));
    CHECK(text.ends_with("discovery-enabled=false\nrpc-http-cors-origins=[\"*\"]\n"));
    // Each key once: Besu refuses a TOML file that sets one twice.
    CHECK(text.find("min-gas-price=0") == std::string::npos);
}

TEST_CASE("values that would break the TOML are escaped", "[besu][config]") {
    auto config = validator();
    config.dataPath = "/var/lib/besu\"\nrpc-http-host=\"0.0.0.0";
    config.extra = {{"identity", std::string("a\\b\"c")}};
    const auto text = renderConfigToml(config);
    CHECK(has(text, R"(data-path="/var/lib/besu\"\nrpc-http-host=\"0.0.0.0")"));
    CHECK(has(text, R"(identity="a\\b\"c")"));
}

}  // namespace chainvisor::nodes::besu
