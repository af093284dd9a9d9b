#include "nodes/bitcell/bitcell_probe.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "nodes/bitcell/prometheus_text.h"
#include "nodes/json_rpc.h"

namespace chainvisor::nodes::bitcell {
namespace {

constexpr const char* kHeightMetric = "bitcell_chain_height";
constexpr const char* kPeersMetric = "bitcell_peer_count";

struct Answer {
    std::optional<std::uint64_t> height;
    std::optional<std::uint64_t> peers;
    std::string problem;  // empty: it answered in full
};

Answer readMetrics(const BitcellProbeTarget& target, ProbeHttp& http) {
    Answer answer;
    const auto r = http.get(target.address, target.metricsPort, "/metrics", target.timeout);
    if (!r.response) {
        answer.problem = "metrics port " + std::to_string(target.metricsPort) + ": " + r.error;
        return answer;
    }
    if (r.response->status != 200) {
        answer.problem = "GET /metrics answered HTTP " + std::to_string(r.response->status);
        return answer;
    }
    answer.height = sampleCount(r.response->body, kHeightMetric);
    answer.peers = sampleCount(r.response->body, kPeersMetric);
    if (!answer.height) {
        answer.problem = std::string("/metrics has no ") + kHeightMetric;
    } else if (!answer.peers) {
        answer.problem = std::string("/metrics has no ") + kPeersMetric;
    }
    return answer;
}

Answer readBlockNumber(const BitcellProbeTarget& target, ProbeHttp& http) {
    Answer answer;
    const RpcAnswer rpc =
        callRpc(http, RpcEndpoint{target.address, target.rpcPort, "/rpc", target.timeout},
                "eth_blockNumber");
    if (!rpc.transportError.empty()) {
        answer.problem =
            "JSON-RPC port " + std::to_string(target.rpcPort) + ": " + rpc.transportError;
        return answer;
    }
    if (!rpc.result && !rpc.noResult) {
        answer.problem = rpc.error;
        return answer;
    }
    answer.height = rpc.result ? rpcQuantity(*rpc.result) : std::nullopt;
    if (!answer.height) {
        answer.problem = "eth_blockNumber: no block number in the answer";
    }
    return answer;
}

std::uint64_t distance(std::uint64_t a, std::uint64_t b) {
    return a > b ? a - b : b - a;
}

}  // namespace

NodeReading readBitcell(const BitcellProbeTarget& target, ProbeHttp& http) {
    // Two servers in one process that fail apart (RPC is a task of its own): ask both.
    const Answer metrics = readMetrics(target, http);
    const Answer rpc = readBlockNumber(target, http);

    NodeReading reading;
    reading.height = rpc.height ? rpc.height : metrics.height;
    if (metrics.peers) {
        reading.peers =
            static_cast<std::uint32_t>(std::min<std::uint64_t>(*metrics.peers, UINT32_MAX));
    }
    std::string problem;
    const auto note = [&](const std::string& text) {
        if (!text.empty()) {
            problem += (problem.empty() ? "" : "; ") + text;
        }
    };
    note(metrics.problem);
    note(rpc.problem);
    if (metrics.peers && *metrics.peers < static_cast<std::uint64_t>(target.minPeers)) {
        note(std::to_string(*metrics.peers) + " peers, need " + std::to_string(target.minPeers));
    }
    if (metrics.height && rpc.height &&
        distance(*metrics.height, *rpc.height) >
            static_cast<std::uint64_t>(target.maxBlocksBehind)) {
        note("heights disagree: /metrics " + std::to_string(*metrics.height) +
             ", eth_blockNumber " + std::to_string(*rpc.height) + " (more than " +
             std::to_string(target.maxBlocksBehind) + " apart)");
    }
    reading.ready = problem.empty();
    reading.problem = std::move(problem);
    return reading;
}

}  // namespace chainvisor::nodes::bitcell
