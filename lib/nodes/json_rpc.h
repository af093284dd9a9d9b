// One JSON-RPC 2.0 call from the daemon to a node over ProbeHttp, and Ethereum's quantities
// ("0x1a"), for every node kind whose probes speak JSON-RPC (Besu on "/", BitCell on "/rpc").
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nodes/probe_http.h"

namespace chainvisor::nodes {

struct RpcEndpoint {
    std::string address;
    int port = 0;
    std::string path = "/";
    std::chrono::milliseconds timeout{2000};
};

struct RpcAnswer {
    std::optional<boost::json::value> result;
    // Without a result: "<method>: what went wrong" (HTTP status, not JSON-RPC, the error's
    // message, no result).
    std::string error;
    // The request got no HTTP answer at all: the transport's own words (also in `error`).
    std::string transportError;
    bool noResult = false;  // a JSON-RPC response with neither an error nor a result
};

// A member "error" that is null counts as no error: bitcell-node writes both members every
// time, the one that does not apply as null.
RpcAnswer callRpc(ProbeHttp& http, const RpcEndpoint& endpoint, std::string_view method,
                  boost::json::array params = {}, std::int64_t id = 1);

// "0x2a" → 42: a string, "0x" or "0X", 1 to 16 hex digits of either case; nullopt otherwise.
std::optional<std::uint64_t> rpcQuantity(const boost::json::value& value);

}  // namespace chainvisor::nodes
