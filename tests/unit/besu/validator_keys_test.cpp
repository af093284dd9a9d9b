// Which keys a network's validators have: declared key files, keys chainvisord made in its state
// directory, and the errors when neither is there.
#include "nodes/besu/validator_keys.h"

#include <catch2/catch.hpp>

#include "temp_dir.h"

namespace chainvisor::nodes::besu {
namespace {

using test::TempDir;

constexpr std::string_view kKey1 =
    "0x0000000000000000000000000000000000000000000000000000000000000001";
constexpr std::string_view kKey2 =
    "0x0000000000000000000000000000000000000000000000000000000000000002";

spec::Node node(std::string name, spec::Role role, std::string keyFile = {}) {
    spec::Node n;
    n.name = std::move(name);
    n.network = "devnet";
    n.role = role;
    n.keyFile = std::move(keyFile);
    return n;
}

spec::Cluster cluster(std::vector<spec::Node> nodes) {
    spec::Cluster c;
    c.name = "test";
    spec::Network network;
    network.name = "devnet";
    network.chainId = 1337;
    c.networks.push_back(network);
    c.nodes = std::move(nodes);
    return c;
}

}  // namespace

TEST_CASE("a node's key is its keyFile, else chainvisord's in the state directory",
          "[besu][validators]") {
    CHECK(nodeKeyPath(node("val1", spec::Role::Validator, "/etc/chainvisor/val1.key"), "/state") ==
          "/etc/chainvisor/val1.key");
    CHECK(nodeKeyPath(node("val2", spec::Role::Validator), "/var/lib/chainvisor") ==
          "/var/lib/chainvisor/keys/val2.key");
}

TEST_CASE("validator addresses from declared and daemon-made keys", "[besu][validators]") {
    TempDir dir;
    const auto declared = dir.write("declared.key", std::string(kKey1) + "\n");
    dir.write("state/keys/val2.key", std::string(kKey2));
    auto nodes = std::vector{node("val1", spec::Role::Validator, declared.string()),
                             node("val2", spec::Role::Validator), node("rpc1", spec::Role::Rpc),
                             node("gone", spec::Role::Validator)};
    nodes.back().state = spec::DesiredState::Absent;
    const auto c = cluster(nodes);
    const auto result = readValidatorAddresses(c, c.networks[0], dir.path() / "state");
    CHECK(result.errors.empty());
    REQUIRE(result.addresses.size() == 2);
    CHECK(result.addresses[0].checksummed() == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    CHECK(result.addresses[1].checksummed() == "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
}

TEST_CASE("validators without keys, with bad keys and sharing a key are each reported",
          "[besu][validators]") {
    TempDir dir;
    const auto bad = dir.write("bad.key", "0x1234");
    const auto one = dir.write("one.key", std::string(kKey1));
    const auto c = cluster({node("val1", spec::Role::Validator),
                            node("val2", spec::Role::Validator, bad.string()),
                            node("val3", spec::Role::Validator, one.string()),
                            node("val4", spec::Role::Validator, one.string())});
    const auto state = dir.path() / "state";
    const auto result = readValidatorAddresses(c, c.networks[0], state);
    CHECK(result.addresses.size() == 1);
    REQUIRE(result.errors.size() == 3);
    CHECK(result.errors[0] ==
          "validator 'val1' has no keyFile in the cluster file and no key at " +
              (state / "keys/val1.key").string() +
              " yet: chainvisord makes a validator's key on its first start and keeps it there "
              "(start chainvisord once, or give the node a keyFile; --state-dir names another "
              "state directory)");
    CHECK(result.errors[1] ==
          "validator 'val2': " + bad.string() +
              ": expected 64 hex digits, found 4 characters; a Besu node key is 0x followed by 64 "
              "hex digits");
    CHECK(result.errors[2] ==
          "validators 'val3' and 'val4' have the same key (address "
          "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf); each validator needs a key of its own");
}

TEST_CASE("a network without validators has no genesis", "[besu][validators]") {
    TempDir dir;
    const auto c = cluster({node("rpc1", spec::Role::Rpc)});
    const auto result = readValidatorAddresses(c, c.networks[0], dir.path());
    CHECK(result.errors ==
          std::vector<std::string>{
              "network 'devnet' has no validators: a BFT chain needs at least one"});
}

TEST_CASE("genesis values from a network's spec", "[besu][validators]") {
    spec::Network network;
    network.name = "devnet";
    network.chainId = 2024;
    network.consensus = spec::Consensus::Ibft2;
    network.genesis.blockPeriodSeconds = 5;
    network.genesis.epochLength = 100;
    network.genesis.requestTimeoutSeconds = 12;
    Address a;
    a.bytes[19] = 1;
    const auto params = genesisParamsFor(network, {a});
    CHECK(params.chainId == 2024);
    CHECK(params.consensus == Consensus::Ibft2);
    CHECK(params.blockPeriodSeconds == 5);
    CHECK(params.epochLength == 100);
    CHECK(params.requestTimeoutSeconds == 12);
    CHECK(params.validators == std::vector<Address>{a});
    network.consensus = spec::Consensus::Qbft;
    CHECK(genesisParamsFor(network, {}).consensus == Consensus::Qbft);
}

}  // namespace chainvisor::nodes::besu
