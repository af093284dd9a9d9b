// The shared base root filesystem: Debian bookworm made once by debootstrap, the read-only lower
// layer of every container's overlayfs. Built into a temporary directory and renamed into place,
// under a lock file, so two processes never build it twice and an interrupted build leaves only
// a temporary directory that the next attempt removes. Never written to after the rename.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>

#include "hosts/result.h"
#include "os/process.h"

namespace chainvisor::hosts::lxc {

class BaseRootfs {
public:
    BaseRootfs(std::filesystem::path cacheDir, std::string mirror, os::ProcessRunner& runner,
               std::chrono::milliseconds buildDeadline);

    // cacheDir/bookworm-base
    const std::filesystem::path& path() const { return path_; }
    bool ready() const;
    // Builds it when missing (about 40 s with a nearby mirror); blocks while another thread or
    // process builds it.
    Result<void> ensure();

private:
    Result<void> build();

    std::filesystem::path cacheDir_;
    std::filesystem::path path_;
    std::string mirror_;
    os::ProcessRunner& runner_;
    std::chrono::milliseconds buildDeadline_;
    std::mutex mutex_;  // one builder per process; the lock file covers other processes
};

}  // namespace chainvisor::hosts::lxc
