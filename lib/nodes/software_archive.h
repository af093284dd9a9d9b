// A release archive on the daemon's machine (a network's `source.path`), read to be copied into
// a container and checked against the cluster file's `source.sha256` first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "hosts/result.h"

namespace chainvisor::nodes {

// Larger than any node release (Besu's is ~100 MB); a bigger file is a mistake, not software.
inline constexpr std::uintmax_t kMaxArchiveBytes = 1024ull * 1024 * 1024;

// The file's bytes; a permanent error when it is missing, unreadable, too large or its SHA-256
// differs from `sha256` (lower-case hex; empty: not checked).
hosts::Result<std::string> readSoftwareArchive(const std::filesystem::path& path,
                                               std::string_view sha256);

// Lower-case hex SHA-256 of `bytes`.
std::string sha256Hex(std::string_view bytes);

}  // namespace chainvisor::nodes
