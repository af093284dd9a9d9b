#include "nodes/besu/besu_probe.h"

#include <algorithm>
#include <boost/json/value.hpp>
#include <cctype>

#include "nodes/json_rpc.h"

namespace chainvisor::nodes::besu {
namespace {

namespace json = boost::json;

std::string lower(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

// Calls on one node, each with its own id.
class Rpc {
public:
    explicit Rpc(const BesuProbeTarget& target, ProbeHttp& http)
        : endpoint_{target.address, target.rpcPort, "/", target.timeout}, http_(http) {}

    RpcAnswer call(std::string_view method, json::array params = {}) {
        return callRpc(http_, endpoint_, method, std::move(params), ++id_);
    }

private:
    RpcEndpoint endpoint_;
    ProbeHttp& http_;
    std::int64_t id_ = 0;
};

std::string prefix(Consensus consensus) {
    return consensus == Consensus::Ibft2 ? "ibft_" : "qbft_";
}

// Why /readiness said no, in words an operator can act on.
std::string readinessProblem(const net::HttpGetResult& r, const BesuProbeTarget& target) {
    if (!r.response) {
        return "JSON-RPC port: " + r.error;
    }
    switch (r.response->status) {
        case 503:
            return "readiness DOWN (needs ≥" + std::to_string(target.minPeers) + " peers and ≤" +
                   std::to_string(target.maxBlocksBehind) + " blocks behind)";
        case 403:
            return "403 Host not authorized: the node's host-allowlist does not admit " +
                   target.address;
        default:
            return "readiness answered HTTP " + std::to_string(r.response->status);
    }
}

}  // namespace

NodeReading readBesu(const BesuProbeTarget& target, ProbeHttp& http) {
    NodeReading reading;
    const auto liveness = http.get(target.address, target.rpcPort, "/liveness", target.timeout);
    if (!liveness.response || liveness.response->status == 403) {
        reading.problem = readinessProblem(liveness, target);
        return reading;
    }
    if (liveness.response->status != 200) {
        reading.problem = "liveness answered HTTP " + std::to_string(liveness.response->status);
        return reading;
    }
    const std::string path = "/readiness?minPeers=" + std::to_string(target.minPeers) +
                             "&maxBlocksBehind=" + std::to_string(target.maxBlocksBehind);
    const auto readiness = http.get(target.address, target.rpcPort, path, target.timeout);
    if (!readiness.response || readiness.response->status == 403) {
        reading.problem = readinessProblem(readiness, target);
        return reading;  // nothing more will answer
    }
    reading.ready = readiness.response->status == 200;
    if (!reading.ready) {
        reading.problem = readinessProblem(readiness, target);
    }

    Rpc rpc(target, http);
    std::string rpcProblem;
    const auto note = [&](const RpcAnswer& answer) {
        if (!answer.error.empty() && rpcProblem.empty()) {
            rpcProblem = answer.error;
        }
    };
    if (auto a = rpc.call("eth_blockNumber"); a.result) {
        reading.height = rpcQuantity(*a.result);
    } else {
        note(a);
    }
    if (auto a = rpc.call("net_peerCount"); a.result) {
        if (auto peers = rpcQuantity(*a.result)) {
            reading.peers = static_cast<std::uint32_t>(*peers);
        }
    } else {
        note(a);
    }
    if (auto a = rpc.call("eth_syncing"); a.result) {
        reading.syncing = !(a.result->is_bool() && !a.result->get_bool());
    } else {
        note(a);
    }
    if (auto a = rpc.call(prefix(target.consensus) + "getValidatorsByBlockNumber", {"latest"});
        a.result && a.result->is_array()) {
        for (const auto& v : a.result->get_array()) {
            if (v.is_string()) {
                reading.validators.push_back(lower(std::string(v.get_string())));
            }
        }
    } else {
        note(a);
    }
    if (target.validator) {
        const std::string own = target.validator->lowerHex();
        if (!reading.validators.empty()) {
            reading.inValidatorSet = std::find(reading.validators.begin(), reading.validators.end(),
                                               own) != reading.validators.end();
        }
        if (auto a = rpc.call(prefix(target.consensus) + "getSignerMetrics");
            a.result && a.result->is_array()) {
            reading.sealsKnown = true;
            for (const auto& entry : a.result->get_array()) {
                const auto* object = entry.if_object();
                const auto* address = object ? object->if_contains("address") : nullptr;
                const auto* last =
                    object ? object->if_contains("lastProposedBlockNumber") : nullptr;
                if (address != nullptr && address->is_string() && last != nullptr &&
                    lower(std::string(address->get_string())) == own) {
                    reading.lastSealed = rpcQuantity(*last);
                }
            }
        } else {
            note(a);
        }
    }
    // A node that answers readiness but not the JSON-RPC the supervisor needs is misconfigured
    // (an API group missing): not ready, and the message says which call failed.
    if (!rpcProblem.empty()) {
        reading.ready = false;
        reading.problem =
            reading.problem.empty() ? rpcProblem : reading.problem + "; " + rpcProblem;
    }
    return reading;
}

}  // namespace chainvisor::nodes::besu
