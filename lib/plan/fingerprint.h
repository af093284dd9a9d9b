// Config fingerprints (see fingerprint.cpp for what goes in): computed for many nodes of one spec
// at once, sharing the work per network.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "spec/cluster.h"

namespace chainvisor::plan::detail {

class ConfigFingerprints {
public:
    explicit ConfigFingerprints(const spec::Cluster& spec) : spec_(spec) {}

    // The same value as desiredConfigFingerprint(spec, node).
    std::string of(const spec::Node& node);

private:
    const spec::Cluster& spec_;
    std::map<std::string, std::uint64_t, std::less<>> networkState_;  // FNV state after the
                                                                      // network's shared part
};

}  // namespace chainvisor::plan::detail
