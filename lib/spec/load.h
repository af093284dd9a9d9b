// Loading a cluster file: read, parse YAML (syntax errors, duplicate keys), map onto the spec
// types (unknown keys, wrong types, ranges), resolve defaults, then validate across fields.
// Every problem found is reported, each located; a cluster is returned only when none is an error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/cluster.h"
#include "spec/diagnostic.h"

namespace chainvisor::spec {

// Largest cluster file accepted; a larger one is almost certainly not a cluster file.
inline constexpr std::size_t kMaxClusterFileBytes = 4 * 1024 * 1024;

// What validation may ask of the filesystem (secret files' existence and mode), injected so tests
// need no real files.
class FileProbe {
public:
    struct Info {
        bool isRegular = false;
        unsigned mode = 0;  // permission bits, e.g. 0600
    };
    virtual ~FileProbe() = default;
    virtual std::optional<Info> stat(const std::string& path) const = 0;
};

// The real filesystem.
class SystemFileProbe final : public FileProbe {
public:
    std::optional<Info> stat(const std::string& path) const override;
};

struct LoadResult {
    std::optional<Cluster> cluster;  // set only when there are no errors
    std::vector<Diagnostic> diagnostics;

    bool ok() const { return cluster.has_value(); }
};

// Parses `text` as the contents of a file named `fileName` (used in diagnostics only).
LoadResult loadClusterText(std::string_view text, const std::string& fileName,
                           const FileProbe& files);

// Reads and parses a file; unreadable, empty, too large or binary files give one clear error.
LoadResult loadClusterFile(const std::filesystem::path& path, const FileProbe& files);

}  // namespace chainvisor::spec
