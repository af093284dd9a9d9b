// What the daemon reports about the fleet after each pass, in plain values: observe stays a leaf
// that knows nothing of the engine's types. Each list is a full snapshot; whatever is missing
// from it has left the spec and its series disappear.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace chainvisor::observe {

struct NodeSample {
    std::string name;
    std::string network;
    std::string role;    // validator, sentry, rpc, miner, full
    std::string host;    // the spec's host name, not an address
    std::string region;  // the node's `region` label; empty when it has none
    // One of Ready, Progressing, Degraded, Failed, Unknown, Paused (engine::toString). Anything
    // else is reported as Unknown rather than as no condition at all.
    std::string condition;
    std::chrono::system_clock::time_point since;  // when the current condition began
    bool ready = false;
    std::optional<std::uint64_t> blockHeight;  // empty: not probed, or the probe failed
    std::optional<std::uint32_t> peers;        // empty: the node kind cannot say, or not known
};

struct NetworkSample {
    std::string name;
    std::uint32_t validators = 0;        // the size of the validator set
    std::uint32_t validatorsOnline = 0;  // validators that are up and in sync
    bool rolloutHalted = false;          // a rolling change stopped at its health gate
};

struct HostSample {
    std::string name;
    bool reachable = false;    // the last observation of the host succeeded
    bool circuitOpen = false;  // calls to it are refused until the circuit breaker half-opens
};

}  // namespace chainvisor::observe
