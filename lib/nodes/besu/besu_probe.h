// Reading a Besu node's health from the daemon, over the node's JSON-RPC HTTP port: /liveness,
// /readiness (peers and blocks behind, Besu's own rule), eth_blockNumber, net_peerCount,
// eth_syncing, the validator set (qbft_/ibft_getValidatorsByBlockNumber "latest") and, for a
// validator, its own seals (…_getSignerMetrics).
#pragma once

#include <optional>
#include <string>

#include "nodes/besu/address.h"
#include "nodes/besu/extra_data.h"
#include "nodes/node_reading.h"
#include "nodes/probe_http.h"

namespace chainvisor::nodes::besu {

struct BesuProbeTarget {
    std::string address;  // the node's IP
    int rpcPort = 8545;
    int minPeers = 1;
    int maxBlocksBehind = 2;
    Consensus consensus = Consensus::Qbft;
    std::optional<Address> validator;  // set: read this validator's seals
    std::chrono::milliseconds timeout{2000};
};

NodeReading readBesu(const BesuProbeTarget& target, ProbeHttp& http);

}  // namespace chainvisor::nodes::besu
