// LxcHost: containers on this machine, through the lxc-* command-line tools.
//
// Why the tools and not liblxc: liblxc's API is not thread-safe per container across forks (it
// forks internally while holding process-wide state, and we call it from a thread pool), its
// Debian -dev package would be one more build dependency, and a subprocess per call gives us
// deadlines and process isolation for free: a hung lxc-attach is killed with its process group,
// a crashing tool cannot take the daemon with it.
//
// Layout, all under a dedicated lxcpath (passed as -P to every tool, so chainvisor never even
// lists the machine's other containers):
//
//   <lxcpath>/cv-<vmid>/config            LXC config: creation-time part + managed keys
//   <lxcpath>/cv-<vmid>/chainvisor.json   ownership marker (see marker.h)
//   <lxcpath>/cv-<vmid>/upper, work       overlayfs upper and work dirs over the shared base
//   <lxcpath>/cv-<vmid>/snapshots/<name>  a copy of `upper` (and of config and marker)
//   <lxcpath>/.chainvisor/locks, trash    per-container lock files; directories being removed
//   <cacheDir>/bookworm-base              the shared, read-only lower layer (base_rootfs.h)
//
// Limitations of directory storage: there is no disk quota. diskGiB is recorded in the marker,
// and resizeDisk only grows the recorded value. Swap is enforced only where the kernel accounts
// it (cgroup v1 memsw or v2 memory.swap.max); elsewhere it is recorded in the marker only.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hosts/host.h"
#include "hosts/lxc/base_rootfs.h"
#include "hosts/lxc/cgroup_facts.h"
#include "hosts/lxc/files.h"
#include "hosts/lxc/marker.h"
#include "os/process.h"

namespace chainvisor::hosts::lxc {

struct LxcHostOptions {
    std::string name = "local";  // the host's name in the spec
    std::filesystem::path lxcPath = "/var/lib/chainvisor/lxc";
    std::filesystem::path cacheDir = "/var/cache/chainvisor/lxc";
    std::string mirror = "http://deb.debian.org/debian";
    std::chrono::milliseconds toolDeadline{std::chrono::seconds(60)};
    std::chrono::milliseconds startDeadline{std::chrono::seconds(60)};
    std::chrono::milliseconds baseBuildDeadline{std::chrono::minutes(20)};
    std::chrono::milliseconds copyDeadline{std::chrono::minutes(30)};  // snapshot / rollback
    std::chrono::milliseconds lockWait{std::chrono::minutes(2)};
    std::chrono::seconds rollbackStopGrace{30};  // rollback stops a running container first
    std::optional<CgroupFacts> cgroups;          // detected when not given
};

class LxcHost final : public Host {
public:
    LxcHost(LxcHostOptions options, os::ProcessRunner& runner);

    const std::string& name() const override { return options_.name; }

    Result<plan::ObservedHost> observe() override;
    Result<void> create(const ContainerSpec& spec) override;
    Result<void> update(const ContainerSpec& spec,
                        const std::vector<plan::FieldChange>& changes) override;
    Result<void> resizeDisk(int vmid, int diskGiB) override;
    Result<void> start(int vmid) override;
    Result<void> stop(int vmid, std::chrono::seconds grace) override;
    Result<void> snapshot(int vmid, const std::string& name) override;
    Result<void> rollback(int vmid, const std::string& name) override;
    Result<void> destroy(int vmid) override;
    Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline) override;
    Result<void> writeFile(int vmid, const FileWrite& file) override;

    // Builds the shared base root filesystem now (create() does it on demand).
    Result<void> prepareBase() { return base_.ensure(); }
    const std::filesystem::path& basePath() const { return base_.path(); }
    std::filesystem::path containerDir(int vmid) const;
    static std::string containerName(int vmid);  // "cv-101"

private:
    Result<FileLock> lock(int vmid) const;
    // The container's marker, or a permanent error refusing `what` (no marker, another owner).
    Result<Marker> requireMarker(int vmid, const std::string& what,
                                 const plan::OwnerMarker* owner) const;
    Result<std::string> state(int vmid) const;  // "RUNNING", "STOPPED", "FROZEN", …
    // Runs a tool; start failures, timeouts and signals become errors that name `where` and the
    // tool. A non-zero exit is left to the caller.
    Result<os::ProcessResult> tool(const std::string& where, const std::vector<std::string>& argv,
                                   std::chrono::milliseconds deadline,
                                   std::string input = {}) const;
    std::vector<std::string> lxcArgs(const std::string& tool, int vmid) const;
    Result<void> ensureBridge(const std::string& bridge, const std::optional<spec::Ipv4Cidr>& ip,
                              const std::optional<spec::Ipv4Address>& gateway);
    Result<void> stopLocked(int vmid, std::chrono::seconds grace, bool kill);
    Result<void> unfreezeIfFrozen(int vmid, const std::string& state);
    Result<void> writeInside(int vmid, const FileWrite& file) const;
    Result<void> writeIdentity(int vmid, const std::string& hostname, bool running);
    Result<void> copyTree(int vmid, const std::filesystem::path& from,
                          const std::filesystem::path& to) const;
    std::string hwaddrFor(int vmid) const;

    LxcHostOptions options_;
    os::ProcessRunner& runner_;
    CgroupFacts cgroups_;
    BaseRootfs base_;
    std::string pathProblem_;  // non-empty: lxcPath/cacheDir cannot be used in an LXC config
    std::mutex bridgeMutex_;
};

}  // namespace chainvisor::hosts::lxc
