// Filesystem helpers of the LXC provider: atomic writes, lock files, and a tree removal that can
// never reach outside the tree it was given (no symlinks followed, no mount crossed).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/result.h"

namespace chainvisor::hosts::lxc {

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> readFile(const std::filesystem::path& path);

// Writes `content` to a temporary file next to `path`, fsyncs it and renames it over `path`, so
// a reader sees the old file or the new one, never half of one. Errors name the path, never the
// content.
Result<void> writeFileAtomic(const std::filesystem::path& path, std::string_view content,
                             unsigned mode);

// An exclusive flock(2) on a lock file, held until destruction. Works across threads (each
// acquire opens its own file description) and across processes.
class FileLock {
public:
    // Waits up to `wait`; a lock still held by someone else then is a transient "busy" error.
    static Result<FileLock> acquire(const std::filesystem::path& path,
                                    std::chrono::milliseconds wait);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// Mount points at or below `dir`, from /proc/self/mountinfo.
std::vector<std::string> mountsUnder(const std::filesystem::path& dir);

// Removes `dir` and everything in it. Refuses (before removing anything) when something is
// mounted at or below it, never follows a symlink, and never descends into a directory on
// another filesystem or mount. A missing `dir` is success.
Result<void> removeTree(const std::filesystem::path& dir);

}  // namespace chainvisor::hosts::lxc
