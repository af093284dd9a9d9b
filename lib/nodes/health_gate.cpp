#include "nodes/health_gate.h"

namespace chainvisor::nodes {

bool HealthGate::feed(const NodeReading& reading) {
    if (passed_) {
        return true;
    }
    if (!reading.ready) {
        missing_ = "not ready" + (reading.problem.empty() ? "" : ": " + reading.problem);
        return false;
    }
    const std::uint32_t peers = reading.peers.value_or(0);
    if (criteria_.minPeers > 0 && peers < static_cast<std::uint32_t>(criteria_.minPeers)) {
        missing_ = std::to_string(peers) + " peers, need " + std::to_string(criteria_.minPeers);
        return false;
    }
    // Height and seals count from the first ready reading: before it the node may still be
    // catching up, and a head or a seal it had before the restart proves nothing.
    if (!reading.height) {
        if (criteria_.heightRising || criteria_.ownSeal) {
            missing_ = "no block height reported";
            return false;
        }
    } else if (!readyHeight_) {
        readyHeight_ = reading.height;
    } else if (*reading.height > *readyHeight_) {
        heightRose_ = true;
    }
    if (readyHeight_ && reading.lastSealed && *reading.lastSealed > *readyHeight_) {
        sealed_ = true;
    }
    if (criteria_.heightRising && !heightRose_) {
        missing_ = "height not rising (" +
                   (readyHeight_ ? std::to_string(*readyHeight_) : std::string("unknown")) +
                   " when it became ready)";
        return false;
    }
    if (criteria_.ownSeal && !sealed_ && reading.inValidatorSet != false) {
        missing_ = "no block sealed by this validator since it became ready at height " +
                   std::to_string(readyHeight_.value_or(0));
        return false;
    }
    passed_ = true;
    missing_.clear();
    return true;
}

std::string HealthGate::describe() const {
    std::string text = "ready";
    if (criteria_.minPeers > 0) {
        text += ", ≥" + std::to_string(criteria_.minPeers) + " peers";
    }
    if (criteria_.heightRising) {
        text += ", height rising";
    }
    if (criteria_.ownSeal) {
        text += ", own seal";
    }
    return text;
}

}  // namespace chainvisor::nodes
