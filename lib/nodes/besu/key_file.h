// The I/O edges of node keys: making a new one from the kernel's CSPRNG, and reading and writing
// Besu's key file. Besu makes a new key silently when its key file is missing, so keys are
// written before a node first starts and never replaced afterwards.
#pragma once

#include <filesystem>
#include <string>

#include "nodes/besu/node_key.h"

namespace chainvisor::nodes::besu {

// A key from getrandom(2); an error only when the kernel gives no randomness.
ParsedKey generateNodeKey();

// Reads and parses a key file. Errors begin with the path and never contain the file's content.
ParsedKey loadKeyFile(const std::filesystem::path& path);

// Writes `key` as Besu does (0x + 64 digits), mode 0600, durably (fsync of the file and of its
// directory). An existing file is never replaced: that would make the node someone else. The
// directory must exist. Returns "" on success, else what failed.
std::string saveKeyFile(const std::filesystem::path& path, const NodeKey& key);

}  // namespace chainvisor::nodes::besu
