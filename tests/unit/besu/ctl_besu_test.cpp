// chainvisorctl's offline Besu commands: their command line, and the built binary's output for
// key files and cluster files in a temporary directory. No daemon is involved.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ctl_options.h"
#include "os/process.h"
#include "temp_dir.h"

namespace chainvisor::ctl {
namespace {

using nodes::besu::test::TempDir;

ParsedCtlOptions parse(std::vector<std::string_view> args) {
    return parseCtlOptions(args, std::nullopt);
}

os::ProcessResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), CHAINVISORCTL_PATH);
    os::ProcessOptions options;
    options.deadline = std::chrono::seconds(30);
    os::SystemProcessRunner runner;
    return runner.run(args, options);
}

constexpr std::string_view kKey1 =
    "0x0000000000000000000000000000000000000000000000000000000000000001";
constexpr std::string_view kKey2 =
    "0x0000000000000000000000000000000000000000000000000000000000000002";
constexpr std::string_view kKey3 =
    "0x0000000000000000000000000000000000000000000000000000000000000003";
// A dev account of Besu's docs: address 0xFE3B557E8Fb62b89F4916B721be55cEb828dBd73.
constexpr std::string_view kKeyFe3b =
    "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";

// Four validators of network devnet: val1 and val2 with declared key files, val3 and val4 with
// keys chainvisord made (in <state>/keys/); rpc1 is not a validator.
std::string clusterFile(const std::filesystem::path& dir, std::string_view consensus = "qbft") {
    return R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: local
    type: local
networks:
  - name: devnet
    kind: besu
    consensus: )" +
           std::string(consensus) + R"(
    chainId: 2024
    genesis: {blockPeriodSeconds: 5, epochLength: 1000, requestTimeoutSeconds: 10}
    version: 26.1.0
    source: {path: /var/cache/chainvisor/besu-26.1.0.tar.gz}
nodes:
  - {name: val1, network: devnet, role: validator, host: local, vmid: 101, keyFile: )" +
           (dir / "val1.key").string() + R"(}
  - {name: val2, network: devnet, role: validator, host: local, vmid: 102, keyFile: )" +
           (dir / "val2.key").string() + R"(}
  - {name: val3, network: devnet, role: validator, host: local, vmid: 103}
  - {name: val4, network: devnet, role: validator, host: local, vmid: 104}
  - {name: rpc1, network: devnet, role: rpc, host: local, vmid: 105}
)";
}

struct Network {
    TempDir dir;
    std::filesystem::path config;
    std::filesystem::path state = dir.path() / "state";

    explicit Network(std::string_view consensus = "qbft") {
        dir.write("val1.key", std::string(kKeyFe3b) + "\n");
        dir.write("val2.key", std::string(kKey3));
        dir.write("state/keys/val3.key", std::string(kKey1));
        dir.write("state/keys/val4.key", std::string(kKey2));
        config = dir.write("cluster.yaml", clusterFile(dir.path(), consensus), 0644);
    }

    os::ProcessResult genesis(std::vector<std::string> more = {}) const {
        std::vector<std::string> args = {"besu",          "genesis",     "--config",
                                         config.string(), "--state-dir", state.string()};
        args.insert(args.end(), more.begin(), more.end());
        return ctl(args);
    }
};

}  // namespace

TEST_CASE("ctl: the besu commands' command line", "[ctl][besu]") {
    auto parsed = parse({"besu", "address", "--key-file", "/etc/besu/key"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->command == Command::BesuAddress);
    CHECK(parsed.options->keyFile == "/etc/besu/key");

    parsed = parse({"besu", "genesis"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->command == Command::BesuGenesis);
    CHECK(parsed.options->config == "/etc/chainvisor/cluster.yaml");
    CHECK(parsed.options->stateDir == "/var/lib/chainvisor");
    CHECK(parsed.options->network.empty());

    parsed = parse(
        {"--config=/tmp/c.yaml", "besu", "genesis", "--network", "devnet", "--state-dir=/srv/cv"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->config == "/tmp/c.yaml");
    CHECK(parsed.options->network == "devnet");
    CHECK(parsed.options->stateDir == "/srv/cv");
}

TEST_CASE("ctl: besu command line mistakes say what is accepted", "[ctl][besu]") {
    CHECK(parse({"besu"}).error == "besu needs a subcommand: address or genesis");
    CHECK(parse({"besu", "adress"}).error ==
          "besu: unknown subcommand 'adress'; subcommands: address, genesis");
    CHECK(parse({"besu", "genesis", "devnet"}).error ==
          "besu genesis: unexpected argument 'devnet'");
    CHECK(parse({"besu", "address"}).error ==
          "besu address needs --key-file FILE (a Besu node key file)");
    CHECK(parse({"besu", "address", "--key-file"}).error ==
          "--key-file needs the path of a Besu node key file");
    CHECK(parse({"besu", "genesis", "--network="}).error == "--network needs a network name");
    CHECK(parse({"status", "--key-file", "k"}).error == "--key-file is for besu address only");
    CHECK(parse({"besu", "genesis", "--key-file", "k"}).error ==
          "--key-file is for besu address only");
    CHECK(parse({"besu", "address", "--key-file", "k", "--network", "n"}).error ==
          "--network is for besu genesis only");
    CHECK(parse({"plan", "--config", "c"}).error == "--config is for besu genesis only");
    CHECK(parse({"status", "--state-dir", "d"}).error == "--state-dir is for besu genesis only");
    CHECK(parse({"besu", "genesis", "--exit-code"}).error == "--exit-code is for plan only");
}

TEST_CASE("chainvisorctl besu address prints the address and the public key",
          "[ctl][besu][binary]") {
    TempDir dir;
    const auto key = dir.write("key", std::string(kKey1));
    auto result = ctl({"besu", "address", "--key-file", key.string()});
    CHECK(result.exitCode == 0);
    CHECK(result.err.empty());
    CHECK(result.out ==
          "address:    0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf\n"
          "public key: 79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a"
          "3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8\n");

    result = ctl({"--json", "besu", "address", "--key-file=" + key.string()});
    CHECK(result.exitCode == 0);
    CHECK(result.out ==
          R"({"address":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","publicKey":"79be667ef9dcbb)"
          R"(ac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd1)"
          R"(7b448a68554199c47d08ffb10d4b8"})"
          "\n");
}

TEST_CASE("chainvisorctl besu address refuses a bad key without showing it",
          "[ctl][besu][binary]") {
    TempDir dir;
    const auto key =
        dir.write("key", "0xc87509a1c067bbde78beb793e6fa76530b6382a4c0241e5e4a9ec0a0f4");
    const auto result = ctl({"besu", "address", "--key-file", key.string()});
    CHECK(result.exitCode == 1);
    CHECK(result.out.empty());
    CHECK(result.err == "chainvisorctl: " + key.string() +
                            ": expected 64 hex digits, found 58 characters; a Besu node key is 0x "
                            "followed by 64 hex digits\n");
    CHECK(result.err.find("c87509") == std::string::npos);

    const auto missing = ctl({"besu", "address", "--key-file", (dir.path() / "nope").string()});
    CHECK(missing.exitCode == 1);
    CHECK(missing.err == "chainvisorctl: " + (dir.path() / "nope").string() +
                             ": cannot open the key file: No such file or directory\n");
}

TEST_CASE("chainvisorctl besu genesis prints the network's genesis from its validators' keys",
          "[ctl][besu][binary]") {
    const Network network;
    const auto result = network.genesis();
    INFO(result.err);
    CHECK(result.exitCode == 0);
    CHECK(result.err.empty());
    // Validators sorted: 0x2B5A… (val4), 0x6813… (val2), 0x7E5F… (val3), 0xFE3B… (val1).
    CHECK(result.out ==
          R"({
  "config": {
    "chainId": 2024,
    "berlinBlock": 0,
    "londonBlock": 0,
    "zeroBaseFee": true,
    "qbft": {
      "blockperiodseconds": 5,
      "epochlength": 1000,
      "requesttimeoutseconds": 10
    }
  },
  "nonce": "0x0",
  "timestamp": "0x0",
  "extraData": "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f854942b5ad5c4795c026514f8317c7a215e218dccd6cf946813eb9362372eef6200f3b1dbc3f819671cba69947e5f4552091a69125d5dfcb7b8c2659029395bdf94fe3b557e8fb62b89f4916b721be55ceb828dbd73c080c0",
  "gasLimit": "0x1fffffffffffff",
  "difficulty": "0x1",
  "mixHash": "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365",
  "coinbase": "0x0000000000000000000000000000000000000000",
  "alloc": {}
}
)");
    // Named explicitly, the same.
    CHECK(network.genesis({"--network", "devnet"}).out == result.out);
}

TEST_CASE("chainvisorctl besu genesis for IBFT 2.0", "[ctl][besu][binary]") {
    const Network network("ibft2");
    const auto result = network.genesis();
    CHECK(result.exitCode == 0);
    CHECK(result.out.find(R"("ibft2": {)") != std::string::npos);
    CHECK(result.out.find("94fe3b557e8fb62b89f4916b721be55ceb828dbd73808400000000c0\"") !=
          std::string::npos);
}

TEST_CASE("chainvisorctl besu genesis says where a missing daemon-made key will be",
          "[ctl][besu][binary]") {
    const Network network;
    std::filesystem::remove(network.state / "keys" / "val4.key");
    const auto result = network.genesis();
    CHECK(result.exitCode == 1);
    CHECK(result.out.empty());
    CHECK(result.err ==
          "chainvisorctl: validator 'val4' has no keyFile in the cluster file and no key at " +
              (network.state / "keys" / "val4.key").string() +
              " yet: chainvisord makes a validator's key on its first start and keeps it there "
              "(start chainvisord once, or give the node a keyFile; --state-dir names another "
              "state directory)\n");
}

TEST_CASE("chainvisorctl besu genesis: which network", "[ctl][besu][binary]") {
    const Network network;
    auto result = network.genesis({"--network", "devnte"});
    CHECK(result.exitCode == 1);
    CHECK(result.err == "chainvisorctl: no network 'devnte' in " + network.config.string() +
                            "; did you mean 'devnet'?\n");

    // A second Besu network: the command must be told which.
    auto text = clusterFile(network.dir.path());
    text.insert(text.find("nodes:"), R"(  - name: testnet
    kind: besu
    chainId: 2025
    version: 26.1.0
    source: {path: /var/cache/chainvisor/besu-26.1.0.tar.gz}
  - name: web
    kind: service
    version: 1.0.0
    service: {command: [/bin/true]}
)");
    text += "  - {name: t1, network: testnet, role: validator, host: local, vmid: 106}\n";
    const auto two = network.dir.write("two.yaml", text, 0644);
    const auto args = [&](std::vector<std::string> more) {
        std::vector<std::string> all = {"besu",       "genesis",     "--config",
                                        two.string(), "--state-dir", network.state.string()};
        all.insert(all.end(), more.begin(), more.end());
        return all;
    };
    result = ctl(args({}));
    CHECK(result.exitCode == 1);
    // The file's warnings come first, as chainvisord --check-config prints them.
    CHECK_THAT(result.err, Catch::StartsWith(two.string() + ":14:5: warning: networks[1]:"));
    CHECK_THAT(result.err, Catch::EndsWith("\nchainvisorctl: " + two.string() +
                                           " declares several Besu networks (devnet, testnet); "
                                           "name one with --network\n"));
    result = ctl(args({"--network", "web"}));
    CHECK(result.exitCode == 1);
    CHECK_THAT(result.err, Catch::EndsWith("\nchainvisorctl: network 'web' is a service network; "
                                           "only Besu networks have a genesis file\n"));
    CHECK(ctl(args({"--network", "devnet"})).exitCode == 0);
}

TEST_CASE("chainvisorctl besu genesis prints a network's own genesis file as it is",
          "[ctl][besu][binary]") {
    const Network network;
    const std::string own = "{\"config\": {\"chainId\": 7}, \"note\": \"as written\"}";
    const auto file = network.dir.write("genesis.json", own, 0644);
    auto text = clusterFile(network.dir.path());
    const auto at = text.find("    genesis: {");
    text.replace(at, text.find('\n', at) - at, "    genesis: {file: " + file.string() + "}");
    network.dir.write("cluster.yaml", text, 0644);
    const auto result = network.genesis();
    CHECK(result.exitCode == 0);
    CHECK(result.out == own);
}

TEST_CASE("chainvisorctl besu genesis reports a bad cluster file and prints nothing",
          "[ctl][besu][binary]") {
    const Network network;
    auto text = clusterFile(network.dir.path());
    text.replace(text.find("chainId: 2024"), 13, "chainId: abc");
    network.dir.write("cluster.yaml", text, 0644);
    const auto result = network.genesis();
    CHECK(result.exitCode == 1);
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Catch::Contains("networks[0].chainId: expected an integer"));
    CHECK_THAT(result.err, Catch::EndsWith("cluster.yaml: 1 error; no genesis printed\n"));
}

}  // namespace chainvisor::ctl
