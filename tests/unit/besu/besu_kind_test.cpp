// The besu node kind against a state directory of real keys: which keys are made, every file a
// node gets (genesis, config.toml, peers by topology, key, unit) and how its release is installed.
#include "nodes/besu/besu_kind.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "nodes/archive_install.h"
#include "nodes/besu/key_store.h"
#include "nodes/besu/network_genesis.h"
#include "nodes/besu/topology.h"
#include "nodes/besu/validator_keys.h"
#include "temp_dir.h"

namespace chainvisor::nodes::besu {
namespace {

namespace json = boost::json;
using test::TempDir;

spec::Node& addNode(spec::Cluster& cluster, const std::string& name, const std::string& network,
                    spec::Role role) {
    spec::Node node;
    node.name = name;
    node.network = network;
    node.role = role;
    node.host = "local";
    node.vmid = 101 + static_cast<int>(cluster.nodes.size());
    node.ip = spec::Ipv4Cidr::parse("10.0.0." + std::to_string(11 + cluster.nodes.size()) + "/24");
    node.ports = spec::Ports{30303, 8545, 9545};
    cluster.nodes.push_back(node);
    return cluster.nodes.back();
}

spec::Network network(const std::string& name, spec::NetworkKind kind,
                      spec::Consensus consensus = spec::Consensus::Qbft) {
    spec::Network n;
    n.name = name;
    n.kind = kind;
    n.consensus = kind == spec::NetworkKind::Besu ? consensus : spec::Consensus::None;
    n.chainId = 1337;
    n.version = *spec::Version::parse("24.1.0");
    return n;
}

// "devnet": Besu, four validators val1…val4 at 10.0.0.11…14, then whatever a test adds.
spec::Cluster besuCluster(spec::Consensus consensus = spec::Consensus::Qbft) {
    spec::Cluster cluster;
    cluster.name = "lab";
    cluster.networks.push_back(network("devnet", spec::NetworkKind::Besu, consensus));
    for (int i = 1; i <= 4; ++i) {
        addNode(cluster, "val" + std::to_string(i), "devnet", spec::Role::Validator);
    }
    return cluster;
}

const spec::Node& nodeNamed(const spec::Cluster& cluster, const std::string& name) {
    const spec::Node* node = cluster.findNode(name);
    REQUIRE(node != nullptr);
    return *node;
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned modeOf(const std::filesystem::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

std::filesystem::path keyPath(const TempDir& state, const std::string& node) {
    return state.path() / "keys" / (node + ".key");
}

// The enode other nodes reach `name` at, from its key in the state directory.
std::string enodeOf(const spec::Cluster& cluster, const TempDir& state, const std::string& name) {
    const spec::Node& node = nodeNamed(cluster, name);
    auto key = loadNodeKey(node, state.path());
    REQUIRE(key.key);
    return "enode://" + key.key->publicKey().hex() + "@" + node.ip->address.str() + ":" +
           std::to_string(node.ports.p2p);
}

const hosts::FileWrite& fileAt(const std::vector<hosts::FileWrite>& files,
                               const std::string& path) {
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const hosts::FileWrite& f) { return f.path == path; });
    REQUIRE(it != files.end());
    return *it;
}

std::set<std::string> staticNodes(const std::vector<hosts::FileWrite>& files) {
    const json::value list = json::parse(fileAt(files, "/etc/besu/static-nodes.json").content);
    std::set<std::string> out;
    for (const auto& entry : list.as_array()) {
        out.emplace(entry.as_string());
    }
    return out;
}

bool hasLine(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

std::vector<std::string> names(const std::vector<const spec::Node*>& nodes) {
    std::vector<std::string> out;
    for (const auto* node : nodes) {
        out.push_back(node->name);
    }
    return out;
}

}  // namespace

TEST_CASE("node keys are made for keyed networks' nodes that declare none", "[besu][keys]") {
    TempDir state;
    auto cluster = besuCluster();
    cluster.networks.push_back(network("chain", spec::NetworkKind::Bitcell));
    cluster.networks.push_back(network("web", spec::NetworkKind::Service));
    const auto declared = state.write("declared.key", std::string(64, '1'));
    cluster.nodes[0].keyFile = declared.string();
    addNode(cluster, "gone", "devnet", spec::Role::Rpc).state = spec::DesiredState::Absent;
    addNode(cluster, "miner1", "chain", spec::Role::Miner);
    addNode(cluster, "web1", "web", spec::Role::Service);
    addNode(cluster, "lost", "nowhere", spec::Role::Rpc);

    CHECK(provisionNodeKeys(cluster, state.path()).empty());
    CHECK(modeOf(state.path() / "keys") == 0700);
    struct Row {
        const char* node;
        bool made;
    };
    for (const Row& row :
         {Row{"val1", false}, Row{"val2", true}, Row{"val3", true}, Row{"val4", true},
          Row{"gone", false}, Row{"miner1", true}, Row{"web1", false}, Row{"lost", false}}) {
        INFO(row.node);
        const auto path = keyPath(state, row.node);
        CHECK(std::filesystem::exists(path) == row.made);
        if (row.made) {
            CHECK(modeOf(path) == 0600);
            CHECK(loadNodeKey(nodeNamed(cluster, row.node), state.path()).key);
        }
    }
    CHECK(readFile(declared) == std::string(64, '1'));
    // Every node its own key.
    std::set<std::string> keys;
    for (const char* node : {"val2", "val3", "val4", "miner1"}) {
        keys.insert(readFile(keyPath(state, node)));
    }
    CHECK(keys.size() == 4);
}

TEST_CASE("node keys are never replaced", "[besu][keys]") {
    TempDir state;
    auto cluster = besuCluster();
    // val2's key was there before, in a keys directory someone left open.
    const std::string val2Key =
        "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    state.write("keys/val2.key", val2Key);
    REQUIRE(::chmod((state.path() / "keys").c_str(), 0755) == 0);

    CHECK(provisionNodeKeys(cluster, state.path()).empty());
    CHECK(readFile(keyPath(state, "val2")) == val2Key);
    CHECK(modeOf(state.path() / "keys") == 0700);
    const std::string val1Key = readFile(keyPath(state, "val1"));
    CHECK(val1Key.size() == 66);

    // Again: nothing changes.
    CHECK(provisionNodeKeys(cluster, state.path()).empty());
    CHECK(readFile(keyPath(state, "val1")) == val1Key);
    CHECK(readFile(keyPath(state, "val2")) == val2Key);
}

TEST_CASE("a state directory that is not there is an error", "[besu][keys]") {
    TempDir state;
    const auto missing = state.path() / "nope";
    const auto errors = provisionNodeKeys(besuCluster(), missing);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("cannot make " + (missing / "keys").string()));
}

TEST_CASE("peers follow the roles: everyone without sentries, through sentries with them",
          "[besu][topology]") {
    auto cluster = besuCluster();
    addNode(cluster, "rpc1", "devnet", spec::Role::Rpc);
    addNode(cluster, "old", "devnet", spec::Role::Validator).state = spec::DesiredState::Absent;
    cluster.networks.push_back(network("other", spec::NetworkKind::Besu));
    addNode(cluster, "x1", "other", spec::Role::Validator);

    CHECK(names(peersOf(cluster, nodeNamed(cluster, "val1"))) ==
          std::vector<std::string>{"val2", "val3", "val4", "rpc1"});
    CHECK(names(peersOf(cluster, nodeNamed(cluster, "rpc1"))) ==
          std::vector<std::string>{"val1", "val2", "val3", "val4"});
    CHECK(names(peersOf(cluster, nodeNamed(cluster, "x1"))).empty());

    addNode(cluster, "sentry1", "devnet", spec::Role::Sentry);
    struct Row {
        const char* node;
        std::vector<std::string> peers;
    };
    const std::vector<Row> rows = {
        {"val1", {"val2", "val3", "val4", "sentry1"}},
        {"val4", {"val1", "val2", "val3", "sentry1"}},
        {"rpc1", {"sentry1"}},
        {"sentry1", {"val1", "val2", "val3", "val4", "rpc1"}},
    };
    for (const Row& row : rows) {
        INFO(row.node);
        CHECK(names(peersOf(cluster, nodeNamed(cluster, row.node))) == row.peers);
    }
}

TEST_CASE("a besu node's files", "[besu][kind]") {
    const auto consensus = GENERATE(spec::Consensus::Qbft, spec::Consensus::Ibft2);
    const bool qbft = consensus == spec::Consensus::Qbft;
    INFO((qbft ? "QBFT" : "IBFT 2.0"));
    TempDir state;
    auto cluster = besuCluster(consensus);
    cluster.nodes[0].resources.memoryMiB = 4096;
    REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
    const BesuKind kind(state.path());
    const spec::Node& val1 = nodeNamed(cluster, "val1");

    auto files = kind.configFiles(cluster, val1);
    REQUIRE(files);
    std::vector<std::string> paths;
    for (const auto& file : files.value()) {
        paths.push_back(file.path);
    }
    CHECK(paths == std::vector<std::string>{
                       "/etc/besu/genesis.json", "/etc/besu/config.toml",
                       "/etc/besu/static-nodes.json", "/etc/besu/permissions_config.toml",
                       "/var/lib/besu/key", "/etc/systemd/system/besu.service"});

    // Genesis: the protocol's options, and extraData naming each validator.
    const auto genesis = json::parse(fileAt(files.value(), "/etc/besu/genesis.json").content);
    const auto& config = genesis.at("config").as_object();
    CHECK(config.at("chainId").to_number<std::int64_t>() == 1337);
    CHECK(config.contains(qbft ? "qbft" : "ibft2"));
    CHECK_FALSE(config.contains(qbft ? "ibft2" : "qbft"));
    const std::string extraData(genesis.at("extraData").as_string());
    for (const char* validator : {"val1", "val2", "val3", "val4"}) {
        INFO(validator);
        auto key = loadNodeKey(nodeNamed(cluster, validator), state.path());
        REQUIRE(key.key);
        const std::string address = key.key->address().lowerHex().substr(2);
        CHECK(extraData.find(address) != std::string::npos);
    }

    // config.toml: reachable at its IP, probes admitted, the protocol's API.
    const std::string toml = fileAt(files.value(), "/etc/besu/config.toml").content;
    CHECK(hasLine(toml, R"(p2p-host="10.0.0.11")"));
    CHECK(hasLine(toml, R"(host-allowlist=["localhost","127.0.0.1","10.0.0.11"])"));
    CHECK(hasLine(toml, qbft ? R"(rpc-http-api=["ETH","NET","WEB3","ADMIN","QBFT"])"
                             : R"(rpc-http-api=["ETH","NET","WEB3","ADMIN","IBFT"])"));
    CHECK(hasLine(toml, R"(node-private-key-file="/var/lib/besu/key")"));
    CHECK(hasLine(toml, R"(genesis-file="/etc/besu/genesis.json")"));
    CHECK(hasLine(toml, R"(static-nodes-file="/etc/besu/static-nodes.json")"));
    CHECK(hasLine(toml, R"(sync-mode="FULL")"));

    // Peers: everyone else, in both files.
    const std::set<std::string> expected = {enodeOf(cluster, state, "val2"),
                                            enodeOf(cluster, state, "val3"),
                                            enodeOf(cluster, state, "val4")};
    CHECK(staticNodes(files.value()) == expected);
    const std::string permissions =
        fileAt(files.value(), "/etc/besu/permissions_config.toml").content;
    for (const auto& enode : expected) {
        CHECK(permissions.find("\"" + enode + "\"") != std::string::npos);
    }
    CHECK(permissions.find(enodeOf(cluster, state, "val1")) == std::string::npos);

    // The key: the node's own, readable by besu only.
    const auto& key = fileAt(files.value(), "/var/lib/besu/key");
    CHECK(key.content == readFile(keyPath(state, "val1")));
    CHECK(key.mode == 0600);
    CHECK(key.owner == "besu");
    CHECK(key.group.empty());

    const std::string unit = fileAt(files.value(), "/etc/systemd/system/besu.service").content;
    for (const char* line :
         {"User=besu", "TimeoutStopSec=900", "Restart=on-failure", "WorkingDirectory=/var/lib/besu",
          R"(Environment="BESU_OPTS=-Xmx2048m")",
          R"(ExecStart="/opt/besu/current/bin/besu" "--config-file=/etc/besu/config.toml")"}) {
        CHECK(hasLine(unit, line));
    }
    // Everything but the key is world-readable config.
    for (const auto& file : files.value()) {
        if (file.path != "/var/lib/besu/key") {
            CHECK(file.mode == 0644);
        }
    }

    // The same spec and keys: the same bytes.
    auto again = kind.configFiles(cluster, val1);
    REQUIRE(again);
    for (std::size_t i = 0; i < files.value().size(); ++i) {
        CHECK(again.value()[i].content == files.value()[i].content);
    }
}

TEST_CASE("with sentries, a node's peer files name only its topology's peers", "[besu][kind]") {
    TempDir state;
    auto cluster = besuCluster();
    addNode(cluster, "sentry1", "devnet", spec::Role::Sentry);
    addNode(cluster, "rpc1", "devnet", spec::Role::Rpc);
    REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
    const BesuKind kind(state.path());
    struct Row {
        const char* node;
        std::vector<std::string> peers;
        bool fullSync;
    };
    const std::vector<Row> rows = {
        {"val2", {"val1", "val3", "val4", "sentry1"}, true},
        {"rpc1", {"sentry1"}, false},
        {"sentry1", {"val1", "val2", "val3", "val4", "rpc1"}, false},
    };
    for (const Row& row : rows) {
        INFO(row.node);
        auto files = kind.configFiles(cluster, nodeNamed(cluster, row.node));
        REQUIRE(files);
        std::set<std::string> expected;
        for (const auto& peer : row.peers) {
            expected.insert(enodeOf(cluster, state, peer));
        }
        CHECK(staticNodes(files.value()) == expected);
        const std::string permissions =
            fileAt(files.value(), "/etc/besu/permissions_config.toml").content;
        std::size_t listed = 0;
        for (auto at = permissions.find("enode://"); at != std::string::npos;
             at = permissions.find("enode://", at + 1)) {
            ++listed;
        }
        CHECK(listed == expected.size());
        const std::string toml = fileAt(files.value(), "/etc/besu/config.toml").content;
        CHECK(hasLine(toml, R"(sync-mode="FULL")") == row.fullSync);
    }
}

TEST_CASE("a key that cannot be read is an error naming the node, never the key", "[besu][kind]") {
    TempDir state;
    auto cluster = besuCluster();
    addNode(cluster, "rpc1", "devnet", spec::Role::Rpc);
    REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
    const BesuKind kind(state.path());
    // Every key there is, as text, for the check that none leaks.
    std::vector<std::string> secrets;
    for (const char* node : {"val1", "val2", "val3", "val4", "rpc1"}) {
        const std::string text = readFile(keyPath(state, node));
        secrets.push_back(text.substr(2));
        secrets.push_back(text.substr(2, 16));
    }
    const std::string garbage = "0x" + std::string(60, 'e') + "SECRET";

    struct Row {
        const char* name;
        const char* broken;
        bool remove;  // else overwritten with garbage
        const char* says;
    };
    const std::vector<Row> rows = {
        {"a peer's key missing", "rpc1", true, "rpc1"},
        {"a peer's key garbled", "rpc1", false, "rpc1"},
        {"a validator's key missing", "val3", true, "val3"},
        {"a validator's key garbled", "val3", false, "val3"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        const auto path = keyPath(state, row.broken);
        const std::string original = readFile(path);
        std::filesystem::remove(path);
        if (!row.remove) {
            state.write("keys/" + std::string(row.broken) + ".key", garbage);
        }
        auto files = kind.configFiles(cluster, nodeNamed(cluster, "val1"));
        REQUIRE_FALSE(files);
        const std::string& message = files.error().message;
        CHECK(files.error().kind == hosts::ErrorKind::Transient);  // heals once the key is there
        CHECK_THAT(message, Catch::Contains(row.says));
        CHECK_THAT(message, !Catch::Contains("SECRET"));
        CHECK_THAT(message, !Catch::Contains(std::string(60, 'e')));
        for (const auto& secret : secrets) {
            CHECK_THAT(message, !Catch::Contains(secret));
        }
        std::filesystem::remove(path);
        state.write("keys/" + std::string(row.broken) + ".key", original);
        REQUIRE(kind.configFiles(cluster, nodeNamed(cluster, "val1")));
    }
}

TEST_CASE("a besu node or peer without an ip has no files", "[besu][kind]") {
    TempDir state;
    auto cluster = besuCluster();
    REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
    const BesuKind kind(state.path());

    auto own = cluster;
    own.nodes[0].ip.reset();
    auto r = kind.configFiles(own, own.nodes[0]);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Permanent);
    CHECK_THAT(r.error().message, Catch::Contains("needs an ip"));

    auto peer = cluster;
    peer.nodes[2].ip.reset();
    r = kind.configFiles(peer, peer.nodes[0]);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Permanent);
    CHECK(r.error().message == "peer val3 has no ip: its enode needs one");
}

TEST_CASE("BESU_OPTS gives the JVM half the container's memory, at least 256 MiB", "[besu][kind]") {
    struct Row {
        int memoryMiB;
        const char* opts;
    };
    for (const Row& row : {Row{8192, "-Xmx4096m"}, Row{2048, "-Xmx1024m"}, Row{1000, "-Xmx500m"},
                           Row{513, "-Xmx256m"}, Row{512, "-Xmx256m"}, Row{128, "-Xmx256m"}}) {
        INFO(row.memoryMiB);
        CHECK(besuOpts(row.memoryMiB) == row.opts);
    }
}

TEST_CASE("a besu install uploads the local archive and passes its facts as arguments",
          "[besu][kind][install]") {
    TempDir state;
    const BesuKind kind(state.path());
    const std::string sha(64, 'a');
    struct Row {
        const char* name;
        std::string path;
        std::string url;
        bool uploads;
    };
    const std::vector<Row> rows = {
        {"from a file", "/srv/releases/besu-24.1.0.tar.gz", "", true},
        {"from a URL", "",
         "https://github.com/hyperledger/besu/releases/download/24.1.0/besu-24.1.0.tar.gz", false},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        auto cluster = besuCluster();
        cluster.networks[0].source.path = row.path;
        cluster.networks[0].source.url = row.url;
        cluster.networks[0].source.sha256 = sha;
        const InstallPlan plan = kind.installPlan(cluster, cluster.nodes[0]);
        const std::string archive = "/var/cache/chainvisor-node/besu-24.1.0.tar.gz";
        if (row.uploads) {
            REQUIRE(plan.uploads.size() == 1);
            CHECK(plan.uploads[0].from == row.path);
            CHECK(plan.uploads[0].to == archive);
            CHECK(plan.uploads[0].sha256 == sha);
        } else {
            CHECK(plan.uploads.empty());
        }
        REQUIRE(plan.commands.size() == 1);
        const auto& argv = plan.commands[0];
        REQUIRE(argv.size() == 11);
        CHECK(argv[0] == "sh");
        CHECK(argv[1] == "-c");
        CHECK(std::vector<std::string>(argv.begin() + 3, argv.end()) ==
              std::vector<std::string>{"install", "besu", "24.1.0", archive, row.url, sha, "besu",
                                       "/var/lib/besu"});
        // The script is the same text for every version and source: facts are only arguments.
        const std::string& script = argv[2];
        CHECK(script.find("24.1.0") == std::string::npos);
        CHECK(script.find(sha) == std::string::npos);
        CHECK(script.find("github") == std::string::npos);
        CHECK(script.find("besu") == std::string::npos);
    }
    // Another version: the same script, other arguments.
    auto a = besuCluster();
    auto b = besuCluster();
    b.networks[0].version = *spec::Version::parse("24.3.0");
    const auto planA = kind.installPlan(a, a.nodes[0]);
    const auto planB = kind.installPlan(b, b.nodes[0]);
    CHECK(planA.commands[0][2] == planB.commands[0][2]);
    CHECK(planB.commands[0][5] == "24.3.0");
    CHECK(planB.commands[0][6] == "/var/cache/chainvisor-node/besu-24.3.0.tar.gz");
    CHECK(currentDir(ArchiveRelease{"besu", "besu", "/var/lib/besu"}) == "/opt/besu/current");
}

TEST_CASE("a chain's genesis is kept: later validators do not change it", "[besu][genesis]") {
    TempDir state;
    auto cluster = besuCluster();
    REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
    const spec::Network& devnet = cluster.networks[0];

    // Offline (chainvisorctl besu genesis): rendered, nothing written.
    const auto preview = networkGenesis(cluster, devnet, state.path(), false);
    REQUIRE(preview.error.empty());
    CHECK_FALSE(preview.kept);
    CHECK_FALSE(std::filesystem::exists(keptGenesisPath(devnet, state.path())));

    // The daemon keeps the first one it installs.
    const BesuKind kind(state.path());
    auto first = kind.configFiles(cluster, nodeNamed(cluster, "val1"));
    REQUIRE(first);
    CHECK(first.value()[0].content == preview.text);
    CHECK(readFile(keptGenesisPath(devnet, state.path())) == preview.text);
    CHECK(modeOf(keptGenesisPath(devnet, state.path())) == 0644);

    // A fifth validator joins: its peers change, the genesis does not.
    addNode(cluster, "val5", "devnet", spec::Role::Validator);
    REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
    const auto fresh = networkGenesis(cluster, cluster.networks[0], state.path(), false);
    CHECK(fresh.kept);
    CHECK(fresh.text == preview.text);
    auto later = kind.configFiles(cluster, nodeNamed(cluster, "val5"));
    REQUIRE(later);
    CHECK(later.value()[0].content == preview.text);
    CHECK(staticNodes(later.value()).size() == 4);

    // A network that brings its own file gets that file, whatever was kept.
    cluster.networks[0].genesis.file = (state.path() / "own.json").string();
    std::ofstream(cluster.networks[0].genesis.file) << "{\"own\":true}";
    CHECK(networkGenesis(cluster, cluster.networks[0], state.path(), true).text ==
          "{\"own\":true}");
}

}  // namespace chainvisor::nodes::besu
