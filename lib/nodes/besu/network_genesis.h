// A Besu network's genesis file: the one the cluster file names, else the one chainvisord
// rendered the first time a node of the network needed it, kept at
// <state-dir>/genesis/<network>.json. A running chain's genesis never changes: a validator who
// joins later is voted in, not written into a new genesis (Besu refuses a genesis that differs
// from the one its database was made with).
#pragma once

#include <filesystem>
#include <string>

#include "spec/cluster.h"

namespace chainvisor::nodes::besu {

inline constexpr std::string_view kGenesisDirectory = "genesis";

std::filesystem::path keptGenesisPath(const spec::Network& network,
                                      const std::filesystem::path& stateDir);

struct NetworkGenesis {
    std::string text;    // the file's bytes; empty on error
    std::string error;   // what failed
    bool retry = false;  // the error can heal by itself (a key not made yet)
    bool kept = false;   // the text is the one kept in the state directory
};

// The genesis nodes of `network` get. With `keep`, a newly rendered genesis is written to the
// state directory (0644, atomically) before it is returned, so every later call returns it.
NetworkGenesis networkGenesis(const spec::Cluster& cluster, const spec::Network& network,
                              const std::filesystem::path& stateDir, bool keep);

}  // namespace chainvisor::nodes::besu
