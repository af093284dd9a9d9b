// Reading a BitCell node's health from the daemon. bitcell-node serves no health endpoint (the
// /health its own compose, k8s and HAProxy files call is not served), so health is put together
// from what it does serve: GET /metrics on --port + 2 (bitcell_chain_height, bitcell_peer_count)
// and JSON-RPC eth_blockNumber at POST /rpc on --rpc-port.
//
// Ready when both answer, the node has at least minPeers peers, and the two heights, taken a
// moment apart, are within maxBlocksBehind of each other.
#pragma once

#include <chrono>
#include <string>

#include "nodes/node_reading.h"
#include "nodes/probe_http.h"

namespace chainvisor::nodes::bitcell {

struct BitcellProbeTarget {
    std::string address;  // the node's IP
    int rpcPort = 30334;
    int metricsPort = 30335;
    int minPeers = 1;
    int maxBlocksBehind = 2;
    std::chrono::milliseconds timeout{2000};
};

// height: eth_blockNumber's, else the metrics'; peers: bitcell_peer_count. Never syncing or
// seals: bitcell_sync_progress is stuck at 100 and BitCell has no signer metrics.
NodeReading readBitcell(const BitcellProbeTarget& target, ProbeHttp& http);

}  // namespace chainvisor::nodes::bitcell
