#include "nodes/besu/besu_probe.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>

namespace chainvisor::nodes::besu {
namespace {

namespace json = boost::json;

// A JSON-RPC call's result, or why there is none.
struct RpcAnswer {
    std::optional<json::value> result;
    std::string error;
};

std::string lower(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::optional<std::uint64_t> quantity(const json::value& value) {
    if (!value.is_string()) {
        return std::nullopt;
    }
    const auto& text = value.get_string();
    if (text.size() < 3 || text.size() > 18 || text[0] != '0' ||
        (text[1] != 'x' && text[1] != 'X')) {
        return std::nullopt;
    }
    std::uint64_t out = 0;
    for (std::size_t i = 2; i < text.size(); ++i) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0) {
            return std::nullopt;
        }
        out = out * 16 + static_cast<std::uint64_t>(digit);
    }
    return out;
}

class Rpc {
public:
    Rpc(const BesuProbeTarget& target, ProbeHttp& http) : target_(target), http_(http) {}

    RpcAnswer call(const std::string& method, json::array params = {}) {
        json::object request;
        request["jsonrpc"] = "2.0";
        request["id"] = ++id_;
        request["method"] = method;
        request["params"] = std::move(params);
        const auto r = http_.postJson(target_.address, target_.rpcPort, "/",
                                      json::serialize(request), target_.timeout);
        RpcAnswer answer;
        if (!r.response) {
            answer.error = method + ": " + r.error;
            return answer;
        }
        if (r.response->status != 200) {
            answer.error = method + ": HTTP " + std::to_string(r.response->status);
            return answer;
        }
        boost::system::error_code ec;
        json::value body = json::parse(r.response->body, ec);
        if (ec || !body.is_object()) {
            answer.error = method + ": not a JSON-RPC answer";
            return answer;
        }
        const auto& object = body.get_object();
        if (const auto* error = object.if_contains("error")) {
            const auto* message =
                error->is_object() ? error->get_object().if_contains("message") : nullptr;
            answer.error =
                method + ": " +
                (message != nullptr && message->is_string() ? std::string(message->get_string())
                                                            : std::string("error"));
            return answer;
        }
        if (const auto* result = object.if_contains("result")) {
            answer.result = *result;
        } else {
            answer.error = method + ": no result";
        }
        return answer;
    }

private:
    const BesuProbeTarget& target_;
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
        reading.height = quantity(*a.result);
    } else {
        note(a);
    }
    if (auto a = rpc.call("net_peerCount"); a.result) {
        if (auto peers = quantity(*a.result)) {
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
                    reading.lastSealed = quantity(*last);
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
