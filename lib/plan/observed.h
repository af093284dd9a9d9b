// Observed: a snapshot of what is, as the providers and probes saw it in one pass.
// Values here are already normalised by the providers (parsed IPs, MiB, lower-case hostnames),
// so the planner compares meaning, never strings as a host happened to print them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "spec/cluster.h"

namespace chainvisor::plan {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

enum class PowerState { Running, Stopped, Unknown };
enum class ServiceState {
    Active,
    Inactive,
    Failed,
    Unknown
};                                               // the node's service in its container
enum class Health { Ready, NotReady, Unknown };  // the node kind's probes

// "active", "inactive", "failed", "unknown": as systemctl says them.
std::string_view toString(ServiceState state);

// chainvisor's ownership marker on a container (a Proxmox tag/description, an LXC config key).
struct OwnerMarker {
    std::string cluster;  // spec.name of the cluster that created it
    std::string node;     // spec node name
};

struct ObservedContainer {
    int vmid = 0;
    std::string pveNode;  // where it lives; empty for local
    PowerState power = PowerState::Unknown;
    std::string lock;                  // Proxmox `lock:` (backup, create, snapshot…); empty: none
    std::optional<OwnerMarker> owner;  // absent: not created by chainvisor
    std::string hostname;
    spec::Resources resources;
    std::optional<spec::Ipv4Cidr> ip;
    std::optional<spec::Ipv4Address> gateway;
    std::string bridge;
    std::vector<std::string> snapshots;
};

// What a host showed in this pass. `reachable == false`: the host could not be observed, so
// nothing about its containers is known (never act while blind).
struct ObservedHost {
    std::string name;
    bool reachable = false;
    std::string error;                      // why not reachable, for conditions
    std::set<std::string> offlinePveNodes;  // cluster members that are down: blind there too
    std::vector<ObservedContainer> containers;
    // The provider cannot enter containers: only containers are managed there (created,
    // configured, started, stopped); nothing inside is observed or changed, and a running
    // container counts as its node being up.
    bool containersOnly = false;

    const ObservedContainer* findContainer(int vmid) const;
};

// The node inside its container: service state, installed software, applied config, probes, and
// the engine's retry bookkeeping.
struct ObservedNode {
    std::string name;
    ServiceState service = ServiceState::Unknown;
    Health health = Health::Unknown;
    std::optional<spec::Version> version;  // installed and active; nullopt: not installed
    std::string configFingerprint;         // of the config last written; empty: none written
    // What the health probes read (kinds that report a chain): the node's head and its peers;
    // nullopt when not probed or not answered. `healthProblem` says why it is not ready.
    std::optional<std::uint64_t> height;
    std::optional<std::uint32_t> peers;
    std::string healthProblem;
    int attempts = 0;                     // failed attempts of the current operation
    std::optional<TimePoint> retryAfter;  // backoff: no action on this node before then
    bool permanentFailure = false;        // the engine gave up until the spec changes
    bool operationInFlight = false;       // the executor is working on this node now
    bool disruptionInFlight = false;      // …and what it runs takes the node down (restart, …)
    std::string inspectError;  // non-empty: the container could not be looked into (blind)
};

struct Observed {
    std::map<std::string, ObservedHost, std::less<>> hosts;
    std::map<std::string, ObservedNode, std::less<>> nodes;
    std::set<std::string, std::less<>> pausedNodes;
    bool pausedAll = false;
    // Networks whose rolling change stopped at a failed health gate, with why: nothing more is
    // disrupted there until the spec changes (restoring what is down goes on).
    std::map<std::string, std::string, std::less<>> haltedNetworks;

    const ObservedHost* findHost(std::string_view name) const;
    const ObservedNode* findNode(std::string_view name) const;
};

// The world before anything exists: every host of the spec reachable and empty.
Observed emptyWorld(const spec::Cluster& spec);

}  // namespace chainvisor::plan
