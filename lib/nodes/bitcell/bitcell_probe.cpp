#include "nodes/bitcell/bitcell_probe.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>

#include "nodes/besu/hex.h"
#include "nodes/bitcell/prometheus_text.h"

namespace chainvisor::nodes::bitcell {
namespace {

namespace json = boost::json;

constexpr const char* kHeightMetric = "bitcell_chain_height";
constexpr const char* kPeersMetric = "bitcell_peer_count";
constexpr const char* kBlockNumberCall =
    R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]})";

// "0x2a" → 42; at most 16 digits.
std::optional<std::uint64_t> quantity(const json::value& value) {
    if (!value.is_string()) {
        return std::nullopt;
    }
    const std::string_view text = value.get_string();
    const std::string_view digits = besu::withoutHexPrefix(text);
    if (digits.size() == text.size() || digits.empty() || digits.size() > 16) {
        return std::nullopt;
    }
    std::uint64_t out = 0;
    for (char c : digits) {
        const int digit = besu::hexDigitValue(c);
        if (digit < 0) {
            return std::nullopt;
        }
        out = out * 16 + static_cast<std::uint64_t>(digit);
    }
    return out;
}

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
    const auto r =
        http.postJson(target.address, target.rpcPort, "/rpc", kBlockNumberCall, target.timeout);
    if (!r.response) {
        answer.problem = "JSON-RPC port " + std::to_string(target.rpcPort) + ": " + r.error;
        return answer;
    }
    if (r.response->status != 200) {
        answer.problem = "eth_blockNumber: HTTP " + std::to_string(r.response->status);
        return answer;
    }
    boost::system::error_code ec;
    const json::value body = json::parse(r.response->body, ec);
    const auto* object = ec ? nullptr : body.if_object();
    if (object == nullptr) {
        answer.problem = "eth_blockNumber: not a JSON-RPC answer";
        return answer;
    }
    // bitcell-node writes both members every time, the one that does not apply as null.
    if (const auto* error = object->if_contains("error"); error != nullptr && !error->is_null()) {
        const auto* message =
            error->is_object() ? error->get_object().if_contains("message") : nullptr;
        answer.problem = "eth_blockNumber: " + (message != nullptr && message->is_string()
                                                    ? std::string(message->get_string())
                                                    : std::string("error"));
        return answer;
    }
    const auto* result = object->if_contains("result");
    answer.height = result != nullptr ? quantity(*result) : std::nullopt;
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
