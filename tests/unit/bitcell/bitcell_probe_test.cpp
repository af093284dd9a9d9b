// Readiness of a BitCell node from /metrics (on --port + 2) and eth_blockNumber (POST /rpc),
// with scripted answers; and the kind's reading of a node from the cluster file.
#include "nodes/bitcell/bitcell_probe.h"

#include <catch2/catch.hpp>

#include "bitcell_fixtures.h"
#include "nodes/bitcell/bitcell_kind.h"

namespace chainvisor::nodes::bitcell {
namespace {

using test::blockNumberBody;
using test::metricsBody;

BitcellProbeTarget target() {
    BitcellProbeTarget t;
    t.address = "10.99.0.13";
    t.rpcPort = 30334;
    t.metricsPort = 30335;
    t.minPeers = 1;
    t.maxBlocksBehind = 2;
    return t;
}

test::ScriptedProbe healthy(int height = 42, int peers = 2, const std::string& hex = "0x2a") {
    test::ScriptedProbe http;
    http.answerWith(30335, "/metrics", 200, metricsBody(height, peers));
    http.answerWith(30334, "/rpc", 200, blockNumberBody(hex));
    return http;
}

}  // namespace

TEST_CASE("a node answering both, with peers and one height, is ready", "[bitcell][probe]") {
    auto http = healthy();
    const auto reading = readBitcell(target(), http);
    CHECK(reading.ready);
    CHECK(reading.problem == "");
    CHECK(reading.height == 42u);
    CHECK(reading.peers == 2u);
    CHECK_FALSE(reading.syncing);
    CHECK_FALSE(reading.sealsKnown);

    REQUIRE(http.calls.size() == 2);
    CHECK(http.calls[0].method == "GET");
    CHECK(http.calls[0].address == "10.99.0.13");
    CHECK(http.calls[0].port == 30335);
    CHECK(http.calls[0].target == "/metrics");
    CHECK(http.calls[1].method == "POST");
    CHECK(http.calls[1].port == 30334);
    CHECK(http.calls[1].target == "/rpc");
    CHECK(http.calls[1].body ==
          R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]})");
    for (const auto& call : http.calls) {
        CHECK(call.target != "/health");
    }
}

TEST_CASE("heights a little apart are fine, further apart not", "[bitcell][probe]") {
    auto close = healthy(44, 1, "0x2a");  // 2 apart
    CHECK(readBitcell(target(), close).ready);
    auto behind = healthy(40, 1, "0x2a");
    CHECK(readBitcell(target(), behind).ready);

    auto far = healthy(45, 1, "0x2a");  // 3 apart
    const auto reading = readBitcell(target(), far);
    CHECK_FALSE(reading.ready);
    CHECK(reading.height == 42u);
    CHECK(reading.problem ==
          "heights disagree: /metrics 45, eth_blockNumber 42 (more than 2 apart)");
}

TEST_CASE("too few peers: not ready, and says how many", "[bitcell][probe]") {
    auto http = healthy(42, 0);
    auto reading = readBitcell(target(), http);
    CHECK_FALSE(reading.ready);
    CHECK(reading.peers == 0u);
    CHECK(reading.problem == "0 peers, need 1");

    auto t = target();
    t.minPeers = 0;  // a node alone in its network
    CHECK(readBitcell(t, http).ready);
}

TEST_CASE("a node whose metrics do not answer is not ready", "[bitcell][probe]") {
    auto refused = healthy();
    refused.answers.erase({30335, "/metrics"});
    auto reading = readBitcell(target(), refused);
    CHECK_FALSE(reading.ready);
    CHECK(reading.problem == "metrics port 30335: connect 10.99.0.13:30335: Connection refused");
    CHECK(reading.height == 42u);  // from JSON-RPC
    CHECK_FALSE(reading.peers);

    auto notFound = healthy();
    notFound.answerWith(30335, "/metrics", 404, "");
    reading = readBitcell(target(), notFound);
    CHECK_FALSE(reading.ready);
    CHECK(reading.problem == "GET /metrics answered HTTP 404");
}

TEST_CASE("metrics without the peer count or the height are not enough", "[bitcell][probe]") {
    auto http = healthy();
    http.answerWith(30335, "/metrics", 200,
                    "# HELP bitcell_peer_count Number of connected peers\n"
                    "# TYPE bitcell_peer_count gauge\n"
                    "bitcell_chain_height{region=\"eu-central\"} 42 1700000000000\n");
    auto reading = readBitcell(target(), http);
    CHECK_FALSE(reading.ready);
    CHECK(reading.problem == "/metrics has no bitcell_peer_count");
    CHECK(reading.height == 42u);

    http.answerWith(30335, "/metrics", 200, "bitcell_peer_count 3\n");
    reading = readBitcell(target(), http);
    CHECK_FALSE(reading.ready);
    CHECK(reading.problem == "/metrics has no bitcell_chain_height");
    CHECK(reading.peers == 3u);
}

TEST_CASE("a JSON-RPC port that fails, or answers badly, is not ready", "[bitcell][probe]") {
    auto refused = healthy();
    refused.answers.erase({30334, "/rpc"});
    auto reading = readBitcell(target(), refused);
    CHECK_FALSE(reading.ready);
    CHECK(reading.problem == "JSON-RPC port 30334: connect 10.99.0.13:30334: Connection refused");
    CHECK(reading.height == 42u);  // from the metrics
    CHECK(reading.peers == 2u);

    const std::vector<std::pair<std::pair<int, std::string>, std::string>> cases = {
        {{200, R"({"jsonrpc":"2.0","result":null,"error":{"code":-32601,)"
               R"("message":"Method not found","data":null},"id":1})"},
         "eth_blockNumber: Method not found"},
        {{200, "not json"}, "eth_blockNumber: not a JSON-RPC answer"},
        {{200, R"({"jsonrpc":"2.0","result":"42","error":null,"id":1})"},
         "eth_blockNumber: no block number in the answer"},
        {{415, "Expected request with `Content-Type: application/json`"},
         "eth_blockNumber: HTTP 415"},
    };
    for (const auto& [answer, problem] : cases) {
        auto http = healthy();
        http.answerWith(30334, "/rpc", answer.first, answer.second);
        reading = readBitcell(target(), http);
        CHECK_FALSE(reading.ready);
        CHECK(reading.problem == problem);
    }

    auto both = healthy();
    both.answers.clear();
    reading = readBitcell(target(), both);
    CHECK(reading.problem ==
          "metrics port 30335: connect 10.99.0.13:30335: Connection refused; "
          "JSON-RPC port 30334: connect 10.99.0.13:30334: Connection refused");
    CHECK_FALSE(reading.height);
}

TEST_CASE("the kind reads a node at its address, on --port + 2 and its RPC port",
          "[bitcell][probe][kind]") {
    auto cluster = test::bitcellCluster();
    const BitcellKind kind{"/nonexistent"};  // reading needs no key
    auto& node = cluster.nodes[0];
    node.ports = {31000, 31001, 31002};
    test::ScriptedProbe http;
    http.answerWith(31002, "/metrics", 200, metricsBody(7, 1));
    http.answerWith(31001, "/rpc", 200, blockNumberBody("0x7"));
    auto reading = kind.read(cluster, node, http);
    REQUIRE(reading);
    CHECK(reading->ready);
    CHECK(reading->height == 7u);
    REQUIRE(http.calls.size() == 2);
    CHECK(http.calls[0].address == "10.99.0.13");

    SECTION("minPeers is the policy's, capped at the others meant to run") {
        cluster.policy.healthGate.minPeers = 3;
        reading = kind.read(cluster, node, http);
        CHECK(reading->problem == "1 peers, need 2");
        cluster.nodes[1].state = spec::DesiredState::Stopped;
        CHECK(kind.read(cluster, node, http)->ready);
    }
    SECTION("maxBlocksBehind is the policy's") {
        http.answerWith(31002, "/metrics", 200, metricsBody(10, 1));
        CHECK_FALSE(kind.read(cluster, node, http)->ready);
        cluster.policy.healthGate.maxBlocksBehind = 3;
        CHECK(kind.read(cluster, node, http)->ready);
    }
    SECTION("a node without an address cannot be read") {
        node.ip.reset();
        CHECK_FALSE(kind.read(cluster, node, http));
    }
}

}  // namespace chainvisor::nodes::bitcell
