// A BitCell network for the tests (three nodes, the file's order not the address order, and a
// node of another network), and HTTP answered from a script instead of a network.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nodes/probe_http.h"
#include "spec/cluster.h"

namespace chainvisor::nodes::bitcell::test {

inline spec::Node bitcellNode(std::string name, spec::Role role, const std::string& ip) {
    spec::Node node;
    node.name = std::move(name);
    node.network = "cell";
    node.role = role;
    node.host = "local";
    node.ip = spec::Ipv4Cidr::parse(ip + "/24");
    node.ports = {30333, 30334, 30335};  // as the cluster reader resolves them
    return node;
}

inline spec::Cluster bitcellCluster() {
    spec::Cluster cluster;
    cluster.name = "lab";
    spec::Network cell;
    cell.name = "cell";
    cell.kind = spec::NetworkKind::Bitcell;
    cell.consensus = spec::Consensus::None;
    cell.version = *spec::Version::parse("0.3.1");
    cell.source.url = "https://example.invalid/bitcell-0.3.1.tar.gz";
    cluster.networks.push_back(cell);
    spec::Network other;
    other.name = "chain";
    other.kind = spec::NetworkKind::Besu;
    cluster.networks.push_back(other);

    cluster.nodes.push_back(bitcellNode("validator1", spec::Role::Validator, "10.99.0.13"));
    cluster.nodes.push_back(bitcellNode("miner1", spec::Role::Miner, "10.99.0.11"));
    cluster.nodes.push_back(bitcellNode("full1", spec::Role::Full, "10.99.0.12"));
    auto besu = bitcellNode("besu1", spec::Role::Validator, "10.99.0.50");
    besu.network = "chain";
    cluster.nodes.push_back(besu);
    return cluster;
}

// Answers by (port, target); anything unscripted is a refused connection.
class ScriptedProbe final : public ProbeHttp {
public:
    struct Call {
        std::string method;
        std::string address;
        int port = 0;
        std::string target;
        std::string body;
    };

    net::HttpGetResult get(const std::string& address, int port, const std::string& target,
                           std::chrono::milliseconds, const std::string&) override {
        calls.push_back({"GET", address, port, target, ""});
        return answer(address, port, target);
    }
    net::HttpGetResult postJson(const std::string& address, int port, const std::string& target,
                                const std::string& body, std::chrono::milliseconds,
                                const std::string&) override {
        calls.push_back({"POST", address, port, target, body});
        return answer(address, port, target);
    }

    void answerWith(int port, const std::string& target, int status, std::string body) {
        answers[{port, target}] = {net::ProbeResponse{status, std::move(body)}, ""};
    }

    std::map<std::pair<int, std::string>, net::HttpGetResult> answers;
    std::vector<Call> calls;

private:
    net::HttpGetResult answer(const std::string& address, int port, const std::string& target) {
        auto it = answers.find({port, target});
        if (it != answers.end()) {
            return it->second;
        }
        return {std::nullopt,
                "connect " + address + ":" + std::to_string(port) + ": Connection refused"};
    }
};

// What bitcell-node's MetricsRegistry::export_prometheus writes (a shortened copy).
inline std::string metricsBody(int height, int peers) {
    return "# HELP bitcell_chain_height Current blockchain height\n"
           "# TYPE bitcell_chain_height gauge\n"
           "bitcell_chain_height " +
           std::to_string(height) +
           "\n\n"
           "# HELP bitcell_sync_progress Sync progress percentage (0-100)\n"
           "# TYPE bitcell_sync_progress gauge\n"
           "bitcell_sync_progress 100\n\n"
           "# HELP bitcell_peer_count Number of connected peers\n"
           "# TYPE bitcell_peer_count gauge\n"
           "bitcell_peer_count " +
           std::to_string(peers) +
           "\n\n"
           "# HELP bitcell_dht_peer_count Number of DHT peers\n"
           "# TYPE bitcell_dht_peer_count gauge\n"
           "bitcell_dht_peer_count " +
           std::to_string(peers) + "\n";
}

// eth_blockNumber's answer as bitcell-node writes it: both members, the unused one null.
inline std::string blockNumberBody(const std::string& hex) {
    return R"({"jsonrpc":"2.0","result":")" + hex + R"(","error":null,"id":1})";
}

}  // namespace chainvisor::nodes::bitcell::test
