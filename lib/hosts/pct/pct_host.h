// PctHost: the containers of ONE Proxmox VE node through its `pct` command, run over SSH
// (net::RemoteShell). pct acts only on the node it runs on, so a spec host with several pveNodes
// and no API is several PctHosts behind MultiNodePctHost (multi_node_pct_host.h).
//
// Identity: before anything else on a connection (after construction, and after any transport
// failure, which may mean a new connection to another machine), `uname -n` must name the
// pveNode (node_identity.h); observe() checks it in its own command every pass. A mismatch makes
// observe() fail ("ssh root@x reaches node 'pve1', not 'pve2'": the engine acts on nothing there)
// and every mutation fail Permanent.
//
// Observation (observe()): one remote command per pass (observe_script.h) prints uname, `nproc`,
// `pct list` and `pct config` of just the containers whose config is due (pct_config_cache.h:
// new, changed in the list, changed by us, or the periodic trickle). In a steady state that is
// the whole pass; each container is reported like ProxmoxHost reports it (vmid, power, lock,
// hostname, resources, ip/gateway/bridge, owner marker from the tags, pveNode).
//
// Ownership and rules are ProxmoxHost's (proxmox_host.h): the tags of proxmox/marker.h; start,
// stop, resize, snapshot, rollback, destroy, exec and writeFile need this cluster's marker,
// update() and create() the exact node's, except update() with a FieldChange "owner" (adopt),
// which marks an unmarked container or one of this cluster's other nodes, never another
// cluster's. A `lock:` in the container's config fails a mutation Transient before pct is run.
//
// Mutations (pct_commands.h has the exact command lines) block until pct has finished:
//   create   looks first (pct config: absent, ours, or someone else's); ours = success, after
//            waiting out a `lock: create` of an earlier attempt; then pct create; after any
//            failure it looks again (a create reported failed but done is success).
//   start    pct start ("already running" = success), then pct status confirms.
//   stop     pct shutdown --timeout grace --forceStop 1 ("not running" = success), falling back
//            to pct stop when pct reports an error; pct status confirms.
//   update   pct set with the changed fields only; memory and swap apply live, the rest is
//            refused (Transient) while the container runs.
//   resize   pct resize VMID rootfs <N>G (shrinking is Permanent).
//   snapshot pct snapshot (an existing snapshot of that name = success; pct listsnapshot).
//   rollback pct rollback (the snapshot must exist).
//   destroy  pct destroy --purge 1 --force 1; a missing container = success.
//   exec, writeFile: pctExec and pctPush (pct exec, pct push).
// Errors are classified by pct_errors.h.
//
// Thread safety: calls for different vmids may run concurrently; the cache and the identity flag
// are guarded by one mutex that is never held across a remote command.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hosts/host.h"
#include "hosts/pct/pct_config_cache.h"
#include "hosts/proxmox/ct_config.h"
#include "hosts/proxmox/marker.h"
#include "hosts/proxmox/timing.h"
#include "net/remote_shell.h"
#include "spec/cluster.h"

namespace chainvisor::hosts::pct {

struct PctHostOptions {
    std::string name;         // the host's name in the spec
    std::string pveNode;      // the Proxmox node the shell reaches
    std::string clusterName;  // spec.name: whose marker is ours
    std::chrono::milliseconds commandDeadline{std::chrono::seconds(60)};  // config, set, status…
    std::chrono::milliseconds taskDeadline{std::chrono::minutes(10)};     // create, start, …
    std::chrono::milliseconds observeDeadline{std::chrono::minutes(3)};   // one observation
    std::chrono::milliseconds confirmTimeout{std::chrono::seconds(60)};   // after start/stop
    std::chrono::milliseconds minPoll{500};  // waiting for a lock: create, or a status
    std::chrono::milliseconds maxPoll{std::chrono::seconds(5)};
    int configRefreshPerPass = 2;  // least recently read configs read again per pass
};

// Options for `pveNode` of the spec's host entry.
PctHostOptions pctHostOptions(const spec::Host& host, const std::string& pveNode,
                              const std::string& clusterName);

class PctHost final : public Host {
public:
    PctHost(PctHostOptions options, net::RemoteShell& shell);
    PctHost(PctHostOptions options, net::RemoteShell& shell, proxmox::Timing& timing);
    ~PctHost() override;
    PctHost(const PctHost&) = delete;
    PctHost& operator=(const PctHost&) = delete;

    const std::string& name() const override { return options_.name; }
    const std::string& pveNode() const { return options_.pveNode; }

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

    // Whether a container `vmid` exists on this node (pct config), for MultiNodePctHost.
    Result<bool> has(int vmid);

private:
    class CheckedShell;  // the shell, forgetting the identity on transport failures
    struct Located {
        proxmox::CtConfig config;
        proxmox::TagMarker marker;
    };

    std::string where(int vmid) const;               // "h1: CT 101 on pve2"
    Error fail(int vmid, const Error& error) const;  // "<where>: <message>"
    Error state(int vmid, ErrorKind kind, const std::string& predicate) const;  // "<where> …"
    Error failHost(const Error& error) const;  // "h1 (pve2): <message>"

    net::RemoteOutcome run(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                           std::size_t maxOutput = kMaxCapturedOutput);
    Result<void> ensureIdentity();
    void forgetIdentity();
    Error wrongNode(const std::string& unameOutput) const;

    // The container's fresh config; nullopt when it does not exist on this node.
    Result<std::optional<Located>> inspect(int vmid);
    // ensureIdentity(), inspect() and: it exists, with this cluster's marker, unlocked.
    Result<Located> requireOurs(int vmid, const std::string& what);
    Result<void> checkOurs(int vmid, const Located& located, const std::string& what) const;
    Result<void> requireUnlocked(int vmid, const Located& located) const;
    // For exec and writeFile: the marker from the last observation, else a fresh look.
    Result<void> requireOursToEnter(int vmid, const std::string& what);
    Result<void> alreadyThere(const ContainerSpec& spec, const Located& located);
    Result<std::string> currentStatus(int vmid);
    Result<void> confirmStatus(int vmid, const std::string& wanted);
    Result<std::vector<std::string>> snapshotNames(int vmid);
    std::chrono::milliseconds pollDelay(std::chrono::nanoseconds elapsed) const;
    void invalidate(int vmid);

    PctHostOptions options_;
    std::unique_ptr<CheckedShell> shell_;
    std::unique_ptr<proxmox::Timing> ownTiming_;
    proxmox::Timing& timing_;

    mutable std::mutex mutex_;
    bool verified_ = false;  // uname -n named pveNode since the last transport failure
    PctConfigCache cache_;
};

}  // namespace chainvisor::hosts::pct
