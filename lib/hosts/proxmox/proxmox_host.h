// ProxmoxHost: containers on a Proxmox VE cluster through its REST API (api_client.h).
//
// Observation (observe()): one GET /cluster/resources?type=vm gives membership, node, status,
// lock, tags and sizes of every guest; one GET /nodes says which nodes are online (a pveNode
// that is not online goes to ObservedHost::offlinePveNodes: blind there). Only containers (type
// lxc) on this host's pveNodes (all nodes when none are listed) are reported. Their details
// (hostname, cores, memory, swap, rootfs size, net0 address/gateway/bridge, marker tags) come from
// GET …/config, fetched only when due (config_cache.h): a steady-state pass costs 2 + 2 requests
// for any number of containers. A status other than running/stopped ("unknown" until pvestatd
// has reported) is confirmed with status/current for a few containers per pass and otherwise
// left Unknown (the planner does not act on Unknown power).
//
// An empty list after a non-empty one is not believed: a token that lost VM.Audit sees an empty
// /cluster/resources instead of a 403. Up to three of the containers seen before are asked
// directly (status/current checks the privilege before existence): only when each answers that
// it does not exist is the empty list accepted; a 403 or a container that still answers makes
// observe() fail ("the token may lack VM.Audit"), so nothing is done while blind. After a restart
// nothing has been seen yet, and an empty list is taken as it is.
//
// Ownership: the tags of marker.h (chainvisor;cv-c-<cluster>;cv-n-<node>). The provider never
// changes a container without its cluster's marker: start, stop, resize, snapshot, rollback and
// destroy need this cluster's marker, update() and create() the exact node's. The one exception
// is update() with a FieldChange "owner" (adopt: true), which writes the marker onto an unmarked
// container or one marked for another node of this cluster, never another cluster's.
//
// Mutations are idempotent and block until Proxmox's task has finished (tasks.h):
//   create   looks first: our container for this node already there = success (waiting out a
//            `lock: create` of an earlier attempt whose answer was lost); otherwise POST
//            /nodes/{node}/lxc and wait; after any failure it looks again, so "already exists"
//            with our marker is success and with another owner a Permanent error naming it.
//            vmids come from the spec; /cluster/nextid is never used.
//   start    POST status/start ("already running" = success), then status/current confirms.
//   stop     POST status/shutdown timeout=grace forceStop=1 ("not running" = success), falling
//            back to status/stop; status/current confirms.
//   update   PUT …/config with the digest of a fresh GET (digest conflicts retried, then
//            Transient). memory and swap apply live; other fields are refused (Transient) while
//            the container runs: the planner stops it first.
//   resize   PUT …/resize disk=rootfs size=<N>G (absolute; shrinking is Permanent).
//   snapshot POST …/snapshot (an existing snapshot of that name = success).
//   rollback POST …/snapshot/<name>/rollback (the container is left stopped).
//   destroy  DELETE …?purge=1&force=1; a missing container = success.
//   exec, writeFile: through the ContainerEntry of the container's pveNode (pct exec / pct push
//            over SSH), after checking it is ours from the last observation (or, when that does
//            not know it, a fresh config); Permanent without entries (no hosts[].ssh).
//
// A transport failure opens the circuit (circuit.h): until the backoff has passed, observe() and
// every call fail fast without a request. A locked container (`lock:` backup, snapshot, …) makes
// a mutation fail Transient before any request is sent.
//
// Thread safety: calls for different vmids may run concurrently; the cache and the location map
// are guarded by one mutex that is never held across a request.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hosts/container_entry.h"
#include "hosts/host.h"
#include "hosts/proxmox/api_client.h"
#include "hosts/proxmox/config_cache.h"
#include "hosts/proxmox/ct_config.h"
#include "hosts/proxmox/marker.h"
#include "hosts/proxmox/tasks.h"
#include "hosts/proxmox/timing.h"
#include "net/http_client.h"
#include "spec/cluster.h"

namespace chainvisor::hosts::proxmox {

struct ProxmoxHostOptions {
    std::string name;                   // the host's name in the spec
    std::vector<std::string> pveNodes;  // Proxmox nodes managed through this host; empty: all
    std::string clusterName;            // spec.name: whose marker is ours
    ApiOptions api;                     // base path, token id and secret, timeout, circuit
    TaskOptions tasks;
    int configRefreshPerPass = 2;  // least recently fetched configs re-read per pass
    int statusChecksPerPass = 8;   // "unknown" statuses confirmed with status/current per pass
    int emptyListChecks = 3;       // containers asked when the list is suddenly empty
    int digestRetries = 3;         // PUT …/config attempts when the digest changed under us
    std::chrono::milliseconds confirmTimeout{std::chrono::seconds(60)};  // after start/stop
};

// Options from the spec's host entry. The token secret is read by the daemon (the environment
// variable tokenSecretEnv, or the file tokenSecretFile) and passed in as a value.
ProxmoxHostOptions proxmoxHostOptions(const spec::Host& host, const std::string& clusterName,
                                      std::string tokenSecret);

class ProxmoxHost final : public Host {
public:
    // `entries`: how to enter containers on each pveNode (not owned); empty without SSH.
    ProxmoxHost(ProxmoxHostOptions options, net::HttpClient& http, Timing& timing,
                std::map<std::string, ContainerEntry*> entries = {});

    const std::string& name() const override { return options_.name; }
    // Only with an entry for every pveNode: the REST API alone cannot run anything inside.
    bool entersContainers() const override;

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

    // The API is considered unreachable and calls fail fast (for metrics).
    bool circuitOpen() const override { return api_.circuitOpen(); }

private:
    struct Located {
        std::string node;
        CtConfig config;
        TagMarker marker;
    };

    std::string where(int vmid) const;
    Error fail(int vmid, const Error& error) const;  // prefixed with where(vmid), redacted
    Error fail(const Error& error) const;            // prefixed with the host's name
    bool manages(const std::string& pveNode) const;
    static std::string ctPath(const std::string& node, int vmid);

    // Where vmid lives according to /cluster/resources; nullopt when it is not listed.
    Result<std::optional<std::string>> findNode(int vmid);
    // The container's node and fresh config, starting at `hint` (or the last known node);
    // nullopt when it does not exist (on `hint` only, unless `searchElsewhere`).
    Result<std::optional<Located>> inspect(int vmid, std::string hint, bool searchElsewhere);
    // inspect() plus checkOurs(): it exists, on one of our pveNodes, with this cluster's marker.
    Result<Located> requireOurs(int vmid, const std::string& what);
    Result<void> checkOurs(int vmid, const Located& located, const std::string& what) const;
    Result<void> requireUnlocked(int vmid, const Located& located) const;
    Result<void> runTask(int vmid, const ApiResult& started,
                         std::optional<std::chrono::milliseconds> deadline = std::nullopt);
    Result<std::string> currentStatus(const std::string& node, int vmid);
    Result<void> confirmStatus(const std::string& node, int vmid, const std::string& wanted);
    Result<void> alreadyThere(const ContainerSpec& spec, const Located& located);
    Result<void> confirmEmpty(const std::map<int, std::string>& seen,
                              const std::set<std::string>& online);
    Result<std::vector<std::string>> snapshotNames(const std::string& node, int vmid);
    // The entry for vmid's node, once it is known to be ours there.
    Result<ContainerEntry*> entryFor(int vmid, const std::string& what);

    void remember(int vmid, const std::string& node);  // location known, cached config stale
    void forget(int vmid);                             // gone

    ProxmoxHostOptions options_;
    Timing& timing_;
    ProxmoxApi api_;
    std::map<std::string, ContainerEntry*> entries_;

    mutable std::mutex mutex_;
    ConfigCache cache_;
    std::map<int, std::string> locations_;  // vmid → node, from listings and our own creates
    std::map<int, std::string> seen_;       // what the last observation listed
    std::set<std::string> strangers_;       // pveNodes not in the cluster (warned about once)
};

}  // namespace chainvisor::hosts::proxmox
