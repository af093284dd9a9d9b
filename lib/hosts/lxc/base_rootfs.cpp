#include "hosts/lxc/base_rootfs.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hosts/lxc/files.h"

namespace chainvisor::hosts::lxc {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTempPrefix = ".bookworm-base.tmp-";

std::string lastLine(const std::string& text) {
    auto end = text.find_last_not_of(" \n\r\t");
    if (end == std::string::npos) {
        return "no output";
    }
    auto start = text.find_last_of('\n', end);
    start = start == std::string::npos ? 0 : start + 1;
    return text.substr(start, std::min<std::size_t>(end - start + 1, 300));
}

// debootstrap mounts /proc and /sys (and on some hosts binds /dev) inside its target; a killed
// run leaves them there. Detach them before the directory is removed.
void unmountBelow(const fs::path& dir) {
    auto mounts = mountsUnder(dir);
    // Deepest first.
    std::sort(mounts.begin(), mounts.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& m : mounts) {
        ::umount2(m.c_str(), MNT_DETACH);
    }
}

}  // namespace

BaseRootfs::BaseRootfs(fs::path cacheDir, std::string mirror, os::ProcessRunner& runner,
                       std::chrono::milliseconds buildDeadline)
    : cacheDir_(std::move(cacheDir)),
      path_(cacheDir_ / "bookworm-base"),
      mirror_(std::move(mirror)),
      runner_(runner),
      buildDeadline_(buildDeadline) {}

bool BaseRootfs::ready() const {
    std::error_code ec;
    return fs::is_directory(path_ / "etc", ec);
}

Result<void> BaseRootfs::ensure() {
    if (ready()) {
        return {};
    }
    std::lock_guard guard(mutex_);
    if (ready()) {
        return {};
    }
    std::error_code ec;
    fs::create_directories(cacheDir_, ec);
    if (ec) {
        return Error::transient("cannot create " + cacheDir_.string() + ": " + ec.message());
    }
    auto lock = FileLock::acquire(cacheDir_ / "bookworm-base.lock",
                                  buildDeadline_ + std::chrono::minutes(1));
    if (!lock) {
        return Error::transient("base root filesystem: " + lock.error().message);
    }
    if (ready()) {
        return {};  // another process built it while we waited
    }
    return build();
}

Result<void> BaseRootfs::build() {
    // Under the lock nobody else is building: any temporary directory is an interrupted build.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(cacheDir_, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kTempPrefix, 0) == 0) {
            unmountBelow(entry.path());
            if (auto removed = removeTree(entry.path()); !removed) {
                return Error::transient("cannot remove an interrupted base build: " +
                                        removed.error().message);
            }
        }
    }

    std::string pattern = (cacheDir_ / kTempPrefix).string() + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        return Error::transient("cannot create a directory in " + cacheDir_.string() + ": " +
                                std::strerror(errno));
    }
    const fs::path tmp = pattern;
    // The one slow step of a first start: say so, or the operator sees nothing for minutes.
    spdlog::info("building the base root filesystem in {} with debootstrap (once; 1-3 minutes)",
                 path().string());
    os::ProcessOptions options;
    options.deadline = buildDeadline_;
    options.maxOutput = 64 * 1024;
    const auto r = runner_.run({"debootstrap", "--variant=minbase",
                                "--include=systemd,systemd-sysv,iproute2,python3,ca-certificates",
                                "bookworm", tmp.string(), mirror_},
                               options);
    unmountBelow(tmp);
    if (r.startFailed || r.timedOut || r.exitCode != 0) {
        (void)removeTree(tmp);
        const std::string why = r.startFailed ? r.err
                                : r.timedOut  ? "timed out"
                                              : "exit " + std::to_string(r.exitCode) + ": " +
                                                   lastLine(r.err.empty() ? r.out : r.err);
        return Error::transient("building the base root filesystem with debootstrap failed: " +
                                why);
    }

    // Per-container identity lives in each container's upper layer, never in the base: an empty
    // machine-id (each container gets its own), no host name (lxc.uts.name sets it), no package
    // cache.
    (void)writeFileAtomic(tmp / "etc/machine-id", "", 0444);
    fs::remove(tmp / "etc/hostname", ec);
    for (const auto& entry : fs::directory_iterator(tmp / "var/cache/apt/archives", ec)) {
        if (entry.path().extension() == ".deb") {
            fs::remove(entry.path(), ec);
        }
    }
    fs::permissions(tmp, fs::perms(0755), ec);

    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        (void)removeTree(tmp);
        return Error::transient("cannot move the base root filesystem into " + path_.string() +
                                ": " + std::strerror(err));
    }
    ::sync();
    return {};
}

}  // namespace chainvisor::hosts::lxc
