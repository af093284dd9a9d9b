// The bitcell kind's files (the key and the unit), its install plan, and what its health gate
// asks for.
#include "nodes/bitcell/bitcell_kind.h"

#include <catch2/catch.hpp>

#include "../besu/temp_dir.h"
#include "bitcell_fixtures.h"
#include "nodes/besu/key_file.h"
#include "nodes/besu/validator_keys.h"
#include "nodes/bitcell/command_line.h"

namespace chainvisor::nodes::bitcell {
namespace {

// A fixed secp256k1 key, so the key file's content can be checked.
const std::string kSecret = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

struct Fixture {
    besu::test::TempDir state;
    spec::Cluster cluster = test::bitcellCluster();
    BitcellKind kind{state.path()};

    void provisionKey(const std::string& node, const std::string& secret = kSecret) {
        std::filesystem::create_directories(state.path() / besu::kKeysDirectory);
        auto key = besu::NodeKey::fromText(secret);
        REQUIRE(key.key);
        REQUIRE(besu::saveKeyFile(besu::nodeKeyPath(*cluster.findNode(node), state.path()),
                                  *key.key) == "");
    }
    const hosts::FileWrite& file(const std::vector<hosts::FileWrite>& files,
                                 const std::string& path) {
        auto it = std::find_if(files.begin(), files.end(),
                               [&](const hosts::FileWrite& f) { return f.path == path; });
        REQUIRE(it != files.end());
        return *it;
    }
};

}  // namespace

TEST_CASE("a bitcell node gets its key and its unit, the key first", "[bitcell][kind]") {
    Fixture f;
    f.provisionKey("validator1");
    const auto& node = *f.cluster.findNode("validator1");
    CHECK(f.kind.unitName(f.cluster, node) == "bitcell");
    auto files = f.kind.configFiles(f.cluster, node);
    REQUIRE(files);
    REQUIRE(files.value().size() == 2);
    CHECK(files.value()[0].path == "/var/lib/bitcell/node.key");
    CHECK(files.value()[1].path == "/etc/systemd/system/bitcell.service");

    // bitcell-node's --key-file wants exactly 64 hex digits after trimming: no "0x".
    const auto& key = f.file(files.value(), "/var/lib/bitcell/node.key");
    CHECK(key.content == kSecret + "\n");
    CHECK(key.mode == 0600);
    CHECK(key.owner == "bitcell");
    CHECK(key.group == "");  // the owner's login group

    const auto& unit = f.file(files.value(), "/etc/systemd/system/bitcell.service");
    CHECK(unit.mode == 0644);
    CHECK(unit.owner == "root");
    CHECK(unit.content ==
          "# Written by chainvisord; changes here are overwritten.\n"
          "[Unit]\n"
          "Description=BitCell validator1 (cell, validator; managed by chainvisor)\n"
          "After=network-online.target\n"
          "Wants=network-online.target\n"
          "\n"
          "[Service]\n"
          "Type=simple\n"
          "User=bitcell\n"
          "WorkingDirectory=/var/lib/bitcell\n"
          "ExecStart=\"/opt/bitcell/current/bin/bitcell-node\" \"validator\" \"--data-dir\" "
          "\"/var/lib/bitcell/data\" \"--port\" \"30333\" \"--rpc-port\" \"30334\" "
          "\"--enable-dht\" \"--bootstrap\" \"/ip4/10.99.0.11/tcp/30333\" \"--key-file\" "
          "\"/var/lib/bitcell/node.key\"\n"
          "Restart=on-failure\n"
          "RestartSec=2\n"
          "KillSignal=SIGINT\n"
          "TimeoutStopSec=120\n"
          "\n"
          "[Install]\n"
          "WantedBy=multi-user.target\n");
}

TEST_CASE("the same spec and keys write the same bytes", "[bitcell][kind]") {
    Fixture f;
    f.provisionKey("miner1");
    auto a = f.kind.configFiles(f.cluster, *f.cluster.findNode("miner1"));
    auto reversed = f.cluster;
    std::reverse(reversed.nodes.begin(), reversed.nodes.end());
    auto b = f.kind.configFiles(reversed, *reversed.findNode("miner1"));
    REQUIRE(a);
    REQUIRE(b);
    for (std::size_t i = 0; i < a.value().size(); ++i) {
        CHECK(a.value()[i].content == b.value()[i].content);
    }
}

TEST_CASE("a declared keyFile is used as is", "[bitcell][kind]") {
    Fixture f;
    const std::string other(63, '1');
    f.cluster.nodes[2].keyFile = f.state.write("declared.key", "0x" + other + "2\n").string();
    auto files = f.kind.configFiles(f.cluster, *f.cluster.findNode("full1"));
    REQUIRE(files);
    CHECK(f.file(files.value(), "/var/lib/bitcell/node.key").content == other + "2\n");
}

TEST_CASE("without its key a node gets no files, and may retry", "[bitcell][kind]") {
    Fixture f;
    auto files = f.kind.configFiles(f.cluster, *f.cluster.findNode("full1"));
    REQUIRE_FALSE(files);
    CHECK(files.error().kind == hosts::ErrorKind::Transient);
    CHECK(files.error().message.starts_with("node full1: "));
}

TEST_CASE("a refused config key is a permanent error before any key is read", "[bitcell][kind]") {
    Fixture f;
    f.cluster.nodes[0].config["private-key"] = std::string("00");
    auto files = f.kind.configFiles(f.cluster, f.cluster.nodes[0]);
    REQUIRE_FALSE(files);
    CHECK(files.error().kind == hosts::ErrorKind::Permanent);
    CHECK(files.error().message ==
          "config.private-key: --private-key is set by chainvisor; "
          "use keyFile");
}

TEST_CASE("the release archive goes to /opt/bitcell, run as user bitcell", "[bitcell][kind]") {
    Fixture f;
    const auto plan = f.kind.installPlan(f.cluster, f.cluster.nodes[0]);
    REQUIRE(plan.commands.size() == 1);
    const auto& args = plan.commands[0];
    REQUIRE(args.size() == 11);
    // sh -c SCRIPT install product version archive url sha user data
    CHECK(std::vector<std::string>(args.begin() + 4, args.end()) ==
          std::vector<std::string>{
              "bitcell", "0.3.1", "/var/cache/chainvisor-node/bitcell-0.3.1.tar.gz",
              "https://example.invalid/bitcell-0.3.1.tar.gz", "", "bitcell", "/var/lib/bitcell"});
    CHECK(plan.uploads.empty());

    spec::Cluster unknown = f.cluster;
    unknown.nodes[0].network = "nowhere";
    CHECK(f.kind.installPlan(unknown, unknown.nodes[0]).commands.empty());
}

TEST_CASE("the health gate asks for peers and a rising height, never a seal", "[bitcell][kind]") {
    Fixture f;
    f.cluster.policy.healthGate.minPeers = 5;
    auto criteria = f.kind.gateCriteria(f.cluster, f.cluster.nodes[0]);
    CHECK(criteria.minPeers == 2);  // only two others
    CHECK(criteria.heightRising);
    CHECK_FALSE(criteria.ownSeal);

    f.cluster.policy.healthGate.minPeers = 1;
    CHECK(f.kind.gateCriteria(f.cluster, f.cluster.nodes[0]).minPeers == 1);

    // Stopped and absent nodes will not be peers; a node alone needs none.
    f.cluster.policy.healthGate.minPeers = 5;
    f.cluster.nodes[1].state = spec::DesiredState::Stopped;
    f.cluster.nodes[2].state = spec::DesiredState::Absent;
    CHECK(f.kind.gateCriteria(f.cluster, f.cluster.nodes[0]).minPeers == 0);
    CHECK(requiredPeers(f.cluster, f.cluster.nodes[0]) == 0);
}

}  // namespace chainvisor::nodes::bitcell
