// Reading a Besu node's health against a scripted node: /readiness, then JSON-RPC answered by
// method name, and what each answer makes of the reading.
#include "nodes/besu/besu_probe.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nodes/besu/besu_kind.h"
#include "nodes/besu/key_store.h"
#include "nodes/besu/validator_keys.h"
#include "temp_dir.h"

namespace chainvisor::nodes::besu {
namespace {

namespace json = boost::json;

// A Besu node as the probe sees it. GET answers every path with `readiness`; POST answers each
// JSON-RPC method from `methods`, and any other with "Method not found" (as Besu does for a
// method of an API group it was not started with).
class ScriptedBesu final : public ProbeHttp {
public:
    struct Get {
        std::string address;
        int port = 0;
        std::string target;
    };
    struct Call {
        std::string address;
        int port = 0;
        std::string target;
        json::value request;
    };

    net::HttpGetResult get(const std::string& address, int port, const std::string& target,
                           std::chrono::milliseconds, const std::string&) override {
        gets.push_back({address, port, target});
        return target == "/liveness" ? liveness : readiness;
    }

    net::HttpGetResult postJson(const std::string& address, int port, const std::string& target,
                                const std::string& body, std::chrono::milliseconds,
                                const std::string&) override {
        json::value request = json::parse(body);
        calls.push_back({address, port, target, request});
        const std::string method(request.at("method").as_string());
        if (auto raw = raw_.find(method); raw != raw_.end()) {
            return raw->second;
        }
        json::object answer;
        answer["jsonrpc"] = "2.0";
        answer["id"] = request.at("id");
        if (auto it = results_.find(method); it != results_.end()) {
            answer["result"] = it->second;
        } else {
            answer["error"] = json::object{{"code", -32601}, {"message", "Method not found"}};
        }
        net::HttpGetResult r;
        r.response = net::ProbeResponse{200, json::serialize(answer)};
        return r;
    }

    // The node answers `method` with `result`.
    void answer(const std::string& method, json::value result) {
        results_[method] = std::move(result);
    }
    // The node does not know `method`.
    void forget(const std::string& method) { results_.erase(method); }
    // The node answers `method` with this HTTP exchange instead of a JSON-RPC answer.
    void answerRaw(const std::string& method, net::HttpGetResult r) { raw_[method] = std::move(r); }

    std::vector<std::string> methods() const {
        std::vector<std::string> out;
        for (const auto& call : calls) {
            out.emplace_back(call.request.at("method").as_string());
        }
        return out;
    }

    net::HttpGetResult liveness = status(200);
    net::HttpGetResult readiness = status(200);
    std::vector<Get> gets;
    std::vector<Call> calls;

    static net::HttpGetResult status(int code, std::string body = {}) {
        net::HttpGetResult r;
        r.response = net::ProbeResponse{code, std::move(body)};
        return r;
    }
    static net::HttpGetResult failure(std::string error) {
        net::HttpGetResult r;
        r.error = std::move(error);
        return r;
    }

private:
    std::map<std::string, json::value> results_;
    std::map<std::string, net::HttpGetResult> raw_;
};

const std::string kOwn = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf";
const std::string kOwnChecksummed = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf";
const std::string kOther = "0x2b5ad5c4795c026514f8317c7a215e218dccd6cf";

Address address(const std::string& text) {
    auto parsed = parseAddress(text);
    REQUIRE(parsed.address);
    return *parsed.address;
}

BesuProbeTarget target(Consensus consensus = Consensus::Qbft, bool validator = false) {
    BesuProbeTarget t;
    t.address = "10.0.0.11";
    t.rpcPort = 8545;
    t.minPeers = 1;
    t.maxBlocksBehind = 2;
    t.consensus = consensus;
    if (validator) {
        t.validator = address(kOwn);
    }
    return t;
}

// A healthy QBFT (or IBFT 2.0) node at height 0x64 with 3 peers, done syncing.
ScriptedBesu healthyNode(const std::string& prefix = "qbft_") {
    ScriptedBesu node;
    node.answer("eth_blockNumber", "0x64");
    node.answer("net_peerCount", "0x3");
    node.answer("eth_syncing", false);
    node.answer(prefix + "getValidatorsByBlockNumber", json::array{kOwnChecksummed, kOther});
    node.answer(prefix + "getSignerMetrics",
                json::array{
                    json::object{{"address", kOther}, {"lastProposedBlockNumber", "0x63"}},
                    json::object{{"address", kOwnChecksummed},
                                 {"proposedBlockCount", "0x5"},
                                 {"lastProposedBlockNumber", "0x62"}},
                });
    return node;
}

}  // namespace

TEST_CASE("readBesu asks /readiness with the target's thresholds, then JSON-RPC", "[besu][probe]") {
    auto node = healthyNode();
    auto t = target(Consensus::Qbft, true);
    t.minPeers = 3;
    t.maxBlocksBehind = 5;
    t.rpcPort = 18545;
    const NodeReading reading = readBesu(t, node);
    REQUIRE(node.gets.size() == 2);
    CHECK(node.gets[0].target == "/liveness");
    CHECK(node.gets[1].address == "10.0.0.11");
    CHECK(node.gets[1].port == 18545);
    CHECK(node.gets[1].target == "/readiness?minPeers=3&maxBlocksBehind=5");
    CHECK(node.methods() ==
          std::vector<std::string>{"eth_blockNumber", "net_peerCount", "eth_syncing",
                                   "qbft_getValidatorsByBlockNumber", "qbft_getSignerMetrics"});
    std::set<std::int64_t> ids;
    for (const auto& call : node.calls) {
        CHECK(call.address == "10.0.0.11");
        CHECK(call.port == 18545);
        CHECK(call.target == "/");
        CHECK(call.request.at("jsonrpc").as_string() == "2.0");
        ids.insert(call.request.at("id").as_int64());
    }
    CHECK(ids.size() == node.calls.size());  // every call its own id
    CHECK(node.calls[3].request.at("params").as_array() == json::array{"latest"});

    CHECK(reading.ready);
    CHECK(reading.problem.empty());
    CHECK(reading.height == 100u);
    CHECK(reading.peers == 3u);
    CHECK(reading.syncing == false);
    CHECK(reading.validators == std::vector<std::string>{kOwn, kOther});  // lower-cased
    CHECK(reading.sealsKnown);
    CHECK(reading.lastSealed == 0x62u);  // its own entry, not the other validator's
}

TEST_CASE("readBesu says why readiness failed", "[besu][probe]") {
    struct Row {
        const char* name;
        net::HttpGetResult readiness;
        bool ready;
        std::string problem;
        bool rpcCalled;
    };
    const std::vector<Row> rows = {
        {"UP", ScriptedBesu::status(200, "{\"status\":\"UP\"}"), true, "", true},
        {"DOWN", ScriptedBesu::status(503, "{\"status\":\"DOWN\"}"), false,
         "readiness DOWN (needs ≥1 peers and ≤2 blocks behind)", true},
        {"host not authorized", ScriptedBesu::status(403, "Host not authorized."), false,
         "403 Host not authorized: the node's host-allowlist does not admit 10.0.0.11", false},
        {"connection refused", ScriptedBesu::failure("connect 10.0.0.11:8545: Connection refused"),
         false, "JSON-RPC port: connect 10.0.0.11:8545: Connection refused", false},
        {"timed out", ScriptedBesu::failure("timed out after 2000 ms"), false,
         "JSON-RPC port: timed out after 2000 ms", false},
        {"other status", ScriptedBesu::status(500), false, "readiness answered HTTP 500", true},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        auto node = healthyNode();
        node.readiness = row.readiness;
        const NodeReading reading = readBesu(target(), node);
        CHECK(reading.ready == row.ready);
        CHECK(reading.problem == row.problem);
        CHECK(node.calls.empty() == !row.rpcCalled);
        // A node that answers JSON-RPC reports its chain even while not ready.
        CHECK(reading.height.has_value() == row.rpcCalled);
    }
}

TEST_CASE("readBesu asks /liveness first: a node that is not alive is asked nothing more",
          "[besu][probe]") {
    struct Row {
        const char* name;
        net::HttpGetResult liveness;
        std::string problem;
    };
    const std::vector<Row> rows = {
        {"refused", ScriptedBesu::failure("connect 10.0.0.11:8545: Connection refused"),
         "JSON-RPC port: connect 10.0.0.11:8545: Connection refused"},
        {"host not authorized", ScriptedBesu::status(403, "Host not authorized."),
         "403 Host not authorized: the node's host-allowlist does not admit 10.0.0.11"},
        {"not UP", ScriptedBesu::status(503), "liveness answered HTTP 503"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        auto node = healthyNode();
        node.liveness = row.liveness;
        const NodeReading reading = readBesu(target(), node);
        CHECK_FALSE(reading.ready);
        CHECK(reading.problem == row.problem);
        CHECK(node.gets.size() == 1);
        CHECK(node.calls.empty());
    }
}

TEST_CASE("readBesu reads hex quantities", "[besu][probe]") {
    struct Row {
        json::value result;
        std::optional<std::uint64_t> value;
    };
    const std::vector<Row> rows = {
        {"0x0", 0},
        {"0x1a", 26},
        {"0xFF", 255},
        {"0X10", 16},
        {"0xffffffffffffffff", 0xffffffffffffffffull},
        {"0x1ffffffffffffffff", std::nullopt},  // does not fit
        {"0x", std::nullopt},
        {"26", std::nullopt},
        {"0x1g", std::nullopt},
        {26, std::nullopt},
        {nullptr, std::nullopt},
    };
    for (const Row& row : rows) {
        INFO(json::serialize(row.result));
        auto node = healthyNode();
        node.answer("eth_blockNumber", row.result);
        node.answer("net_peerCount", row.result);
        const NodeReading reading = readBesu(target(), node);
        CHECK(reading.height == row.value);
        if (row.value) {
            CHECK(reading.peers == static_cast<std::uint32_t>(*row.value));
        } else {
            CHECK_FALSE(reading.peers);
        }
    }
}

TEST_CASE("readBesu reads eth_syncing as false or an object", "[besu][probe]") {
    struct Row {
        json::value result;
        bool syncing;
    };
    const std::vector<Row> rows = {
        {false, false},
        {json::object{{"startingBlock", "0x0"}, {"currentBlock", "0x10"}, {"highestBlock", "0x64"}},
         true},
    };
    for (const Row& row : rows) {
        auto node = healthyNode();
        node.answer("eth_syncing", row.result);
        const NodeReading reading = readBesu(target(), node);
        REQUIRE(reading.syncing);
        CHECK(*reading.syncing == row.syncing);
        CHECK(reading.ready);
    }
}

TEST_CASE("readBesu uses the consensus protocol's method names", "[besu][probe]") {
    struct Row {
        Consensus consensus;
        std::string prefix;
    };
    for (const Row& row : {Row{Consensus::Qbft, "qbft_"}, Row{Consensus::Ibft2, "ibft_"}}) {
        INFO(row.prefix);
        auto node = healthyNode(row.prefix);
        const NodeReading reading = readBesu(target(row.consensus, true), node);
        CHECK(node.methods() == std::vector<std::string>{"eth_blockNumber", "net_peerCount",
                                                         "eth_syncing",
                                                         row.prefix + "getValidatorsByBlockNumber",
                                                         row.prefix + "getSignerMetrics"});
        CHECK(reading.ready);
        CHECK(reading.validators.size() == 2);
        CHECK(reading.lastSealed == 0x62u);
    }
    // An IBFT 2.0 target against a node that serves QBFT only: the method it lacks is named.
    auto qbftOnly = healthyNode("qbft_");
    const NodeReading reading = readBesu(target(Consensus::Ibft2, true), qbftOnly);
    CHECK_FALSE(reading.ready);
    CHECK(reading.problem == "ibft_getValidatorsByBlockNumber: Method not found");
    CHECK(reading.validators.empty());
    CHECK_FALSE(reading.sealsKnown);
}

TEST_CASE("readBesu finds a validator's own last seal among the signer metrics", "[besu][probe]") {
    SECTION("not a validator: no signer metrics asked") {
        auto node = healthyNode();
        const NodeReading reading = readBesu(target(Consensus::Qbft, false), node);
        CHECK(node.calls.size() == 4);
        CHECK_FALSE(reading.sealsKnown);
        CHECK_FALSE(reading.lastSealed);
    }
    SECTION("a validator that has sealed nothing: known, none") {
        auto node = healthyNode();
        node.answer(
            "qbft_getSignerMetrics",
            json::array{json::object{{"address", kOther}, {"lastProposedBlockNumber", "0x63"}}});
        const NodeReading reading = readBesu(target(Consensus::Qbft, true), node);
        CHECK(reading.sealsKnown);
        CHECK_FALSE(reading.lastSealed);
        CHECK(reading.ready);
    }
    SECTION("no signer metrics at all") {
        auto node = healthyNode();
        node.answer("qbft_getSignerMetrics", json::array{});
        const NodeReading reading = readBesu(target(Consensus::Qbft, true), node);
        CHECK(reading.sealsKnown);
        CHECK_FALSE(reading.lastSealed);
    }
}

TEST_CASE("a JSON-RPC call that fails makes the node not ready and names the call",
          "[besu][probe]") {
    struct Row {
        const char* name;
        std::string method;
        std::optional<net::HttpGetResult> raw;  // nullopt: "Method not found"
        std::string problem;
    };
    const std::vector<Row> rows = {
        {"method not found", "eth_blockNumber", std::nullopt, "eth_blockNumber: Method not found"},
        {"API group missing", "qbft_getSignerMetrics", std::nullopt,
         "qbft_getSignerMetrics: Method not found"},
        {"HTTP error", "net_peerCount", ScriptedBesu::status(401, "Unauthorized"),
         "net_peerCount: HTTP 401"},
        {"not JSON", "eth_syncing", ScriptedBesu::status(200, "<html>"),
         "eth_syncing: not a JSON-RPC answer"},
        {"no result", "eth_syncing", ScriptedBesu::status(200, "{\"jsonrpc\":\"2.0\",\"id\":3}"),
         "eth_syncing: no result"},
        {"error without a message", "eth_blockNumber",
         ScriptedBesu::status(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000}}"),
         "eth_blockNumber: error"},
        {"connection lost", "net_peerCount", ScriptedBesu::failure("connection reset"),
         "net_peerCount: connection reset"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        auto node = healthyNode();
        if (row.raw) {
            node.answerRaw(row.method, *row.raw);
        } else {
            node.forget(row.method);
        }
        const NodeReading reading = readBesu(target(Consensus::Qbft, true), node);
        CHECK_FALSE(reading.ready);
        CHECK(reading.problem == row.problem);
        CHECK(node.calls.size() == 5);  // the other calls are still made
    }
    SECTION("after readiness DOWN, the first failed call is added") {
        auto node = healthyNode();
        node.readiness = ScriptedBesu::status(503);
        node.forget("eth_blockNumber");
        node.forget("net_peerCount");
        const NodeReading reading = readBesu(target(), node);
        CHECK_FALSE(reading.ready);
        CHECK(reading.problem ==
              "readiness DOWN (needs ≥1 peers and ≤2 blocks behind); "
              "eth_blockNumber: Method not found");
        CHECK_FALSE(reading.height);
        CHECK_FALSE(reading.peers);
        CHECK(reading.syncing == false);
    }
}

namespace {

// A Besu network "devnet" of `validators` validators (10.0.0.11, …) and the nodes added after.
spec::Cluster besuCluster(int validators) {
    spec::Cluster cluster;
    cluster.name = "lab";
    spec::Network network;
    network.name = "devnet";
    network.kind = spec::NetworkKind::Besu;
    network.consensus = spec::Consensus::Ibft2;
    network.chainId = 1337;
    network.version = *spec::Version::parse("24.1.0");
    cluster.networks.push_back(network);
    for (int i = 1; i <= validators; ++i) {
        spec::Node node;
        node.name = "val" + std::to_string(i);
        node.network = "devnet";
        node.role = spec::Role::Validator;
        node.vmid = 100 + i;
        node.ip = spec::Ipv4Cidr::parse("10.0.0." + std::to_string(10 + i) + "/24");
        node.ports = spec::Ports{30303, 8545, 9545};
        cluster.nodes.push_back(node);
    }
    return cluster;
}

}  // namespace

TEST_CASE("the besu kind probes its node at its IP with the cluster's gate policy",
          "[besu][probe][kind]") {
    struct Row {
        const char* name;
        int validators;
        int policyMinPeers;
        spec::Role role;
        std::string path;
        bool asksSeals;
    };
    const std::vector<Row> rows = {
        {"a validator among four", 4, 2, spec::Role::Validator,
         "/readiness?minPeers=2&maxBlocksBehind=7", true},
        {"a lone validator needs no peers", 1, 2, spec::Role::Validator,
         "/readiness?minPeers=0&maxBlocksBehind=7", true},
        {"fewer peers than the policy asks", 2, 3, spec::Role::Validator,
         "/readiness?minPeers=1&maxBlocksBehind=7", true},
        {"an RPC node reads no seals", 4, 1, spec::Role::Rpc,
         "/readiness?minPeers=1&maxBlocksBehind=7", false},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        test::TempDir state;
        auto cluster = besuCluster(row.validators);
        cluster.policy.healthGate.minPeers = row.policyMinPeers;
        cluster.policy.healthGate.maxBlocksBehind = 7;
        cluster.nodes[0].role = row.role;
        cluster.nodes[0].ports.rpc = 18545;
        REQUIRE(provisionNodeKeys(cluster, state.path()).empty());
        auto key = loadNodeKey(cluster.nodes[0], state.path());
        REQUIRE(key.key);

        auto node = healthyNode("ibft_");
        node.answer("ibft_getSignerMetrics",
                    json::array{json::object{{"address", key.key->address().checksummed()},
                                             {"lastProposedBlockNumber", "0x2a"}}});
        BesuKind kind(state.path());
        auto reading = kind.read(cluster, cluster.nodes[0], node);
        REQUIRE(reading);
        REQUIRE(node.gets.size() == 2);
        CHECK(node.gets[1].address == "10.0.0.11");
        CHECK(node.gets[1].port == 18545);
        CHECK(node.gets[1].target == row.path);
        CHECK(reading->ready);
        CHECK(reading->sealsKnown == row.asksSeals);
        CHECK(reading->lastSealed ==
              (row.asksSeals ? std::optional<std::uint64_t>(42) : std::nullopt));

        const auto criteria = kind.gateCriteria(cluster, cluster.nodes[0]);
        CHECK(criteria.heightRising);
        CHECK(criteria.ownSeal == (row.role == spec::Role::Validator));
    }
}

TEST_CASE("the besu kind cannot probe a node without an ip", "[besu][probe][kind]") {
    test::TempDir state;
    auto cluster = besuCluster(1);
    cluster.nodes[0].ip.reset();
    ScriptedBesu node;
    CHECK_FALSE(BesuKind(state.path()).read(cluster, cluster.nodes[0], node));
    CHECK(node.gets.empty());
}

}  // namespace chainvisor::nodes::besu
