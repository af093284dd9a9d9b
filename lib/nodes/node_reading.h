// What the daemon's probes of one node found: whether it serves, and the chain as the node sees
// it. Plain values, so node kinds fill them and the agent, the health gate and the metrics read
// them without knowing which kind answered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chainvisor::nodes {

struct NodeReading {
    bool ready = false;   // the kind's readiness rule holds
    std::string problem;  // why not ready: "readiness DOWN (0 peers, need 1)"; empty when ready
    std::optional<std::uint64_t> height;  // the node's chain head
    std::optional<std::uint32_t> peers;
    std::optional<bool> syncing;
    // Validators only: the highest block this node has sealed, as the signer metrics say; nullopt
    // when it has sealed none (or the kind cannot say).
    std::optional<std::uint64_t> lastSealed;
    bool sealsKnown = false;              // the kind reported signer metrics at all
    std::vector<std::string> validators;  // the validator set the node sees (0x…, lower-case)
    // Validators only: whether the node's own address is in that set; nullopt when unknown. One
    // that is not (a validator not yet voted in) cannot seal, so no gate waits for its seal.
    std::optional<bool> inValidatorSet;
};

}  // namespace chainvisor::nodes
