// The spec: the desired state of a cluster, as parsed and validated from cluster.yaml.
// An immutable value once loaded; everything downstream (planner, engine) reads it only.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/service.h"
#include "spec/values.h"

namespace chainvisor::spec {

inline constexpr std::string_view kApiVersion = "chainvisor/v1";

enum class HostType { Local, Proxmox };

// How the API endpoint's certificate is trusted. Neither set: the system CA store.
struct TlsTrust {
    std::string caFile;
    std::string fingerprintSha256;  // "AB:CD:…" (32 colon-separated bytes, upper-case)
};

struct ApiEndpoint {
    std::string url;              // https://pve1.example:8006/api2/json
    std::string tokenId;          // USER@REALM!TOKENID
    std::string tokenSecretEnv;   // name of an environment variable holding the secret
    std::string tokenSecretFile;  // or a file (mode 0600 or stricter) holding it
    TlsTrust tls;
};

struct SshEndpoint {
    std::string address;  // reaches every pveNode not in nodeAddresses ("" when all are)
    std::map<std::string, std::string> nodeAddresses;  // pveNode → its own address
    int port = 22;
    std::string user = "root";
    std::string keyFile;
    std::string knownHostsFile;
    bool useAgent = false;
    bool trustOnFirstUse = false;

    // Where `pct` for that pveNode runs: pct acts only on the node it runs on.
    const std::string& addressOf(const std::string& pveNode) const {
        auto it = nodeAddresses.find(pveNode);
        return it == nodeAddresses.end() ? address : it->second;
    }
};

struct Host {
    std::string name;
    HostType type = HostType::Local;
    std::optional<ApiEndpoint> api;
    std::optional<SshEndpoint> ssh;
    std::vector<std::string>
        pveNodes;                     // Proxmox cluster nodes behind the endpoint; empty for local
    int maxConcurrentOperations = 2;  // resolved: host value, else policy.budgets.perHostConcurrent
};

struct Resources {
    int cores = 2;
    int memoryMiB = 2048;
    int swapMiB = 512;
    int diskGiB = 16;
    friend bool operator==(const Resources&, const Resources&) = default;
};

struct Defaults {
    std::string osTemplate;  // Proxmox: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
    std::string storage = "local-lvm";
    std::string bridge = "vmbr0";
    Resources resources;
};

enum class NetworkKind { Besu, Bitcell, Service };
enum class Consensus { None, Qbft, Ibft2 };  // None for BitCell and services

struct GenesisSpec {
    std::string file;  // non-empty: use this genesis file as is
    int blockPeriodSeconds = 2;
    int epochLength = 30000;
    int requestTimeoutSeconds = 4;
};

// Where a node's software comes from: a URL reachable from the host, or a file on the host.
struct SoftwareSource {
    std::string url;
    std::string path;
    std::string sha256;  // optional, lower-case hex
};

struct Network {
    std::string name;
    NetworkKind kind = NetworkKind::Besu;
    Consensus consensus = Consensus::Qbft;
    std::uint64_t chainId = 0;
    GenesisSpec genesis;
    Version version;
    SoftwareSource source;
    int validatorsDisrupted = 1;  // resolved budget: min(configured, f) with f = ⌊(n−1)/3⌋
    std::optional<ServiceSpec> service;  // kind service only
};

enum class Role { Validator, Sentry, Rpc, Miner, Full, Service };
enum class DesiredState { Running, Stopped, Absent };

struct Ports {
    int p2p = 0;
    int rpc = 0;
    int metrics = 0;
    friend bool operator==(const Ports&, const Ports&) = default;
};

// Extra node configuration passed through to the node kind (Besu TOML keys, BitCell flags).
using ConfigValue = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

struct Node {
    std::string name;
    std::string network;
    Role role = Role::Validator;
    std::string host;
    std::string pveNode;  // resolved: the host's only Proxmox node when not given; empty for local
    int vmid = 0;
    std::string hostname;  // resolved: the node name when not given
    std::optional<Ipv4Cidr> ip;
    std::optional<Ipv4Address> gateway;
    std::string bridge;  // resolved from defaults
    std::string osTemplate;
    std::string storage;
    Resources resources;  // resolved: node values over defaults
    Ports ports;          // resolved: overrides over the kind's defaults
    std::map<std::string, ConfigValue> config;
    DesiredState state = DesiredState::Running;
    std::map<std::string, std::string> labels;
    bool adopt = false;   // manage this vmid even though chainvisor did not create it
    std::string keyFile;  // a declared node key; empty: chainvisor provisions one
};

enum class DeletionPolicy { Orphan, Delete };

struct Budgets {
    int validatorsDisrupted = 1;
    int perHostConcurrent = 2;
    int globalConcurrent = 8;
};

struct HealthGate {
    std::chrono::seconds timeout{600};
    int minPeers = 1;
    int maxBlocksBehind = 2;
};

struct Policy {
    std::chrono::milliseconds resyncInterval{std::chrono::seconds(30)};
    std::chrono::milliseconds probeInterval{std::chrono::seconds(10)};
    Budgets budgets;
    DeletionPolicy deletion = DeletionPolicy::Orphan;
    bool snapshotBeforeDisruptive = true;
    HealthGate healthGate;
};

struct Cluster {
    std::string name;
    std::vector<Host> hosts;
    Defaults defaults;
    std::vector<Network> networks;
    std::vector<Node> nodes;
    Policy policy;
    SourceMap source;  // where each field path was written, for diagnostics

    const Host* findHost(std::string_view wanted) const;
    const Network* findNetwork(std::string_view wanted) const;
    const Node* findNode(std::string_view wanted) const;
    // Nodes of `network` whose role is validator and whose state is not absent.
    std::vector<const Node*> validatorsOf(std::string_view network) const;
};

// f = ⌊(n−1)/3⌋: how many of n QBFT/IBFT validators may be down while blocks are still made.
constexpr int faultTolerance(int validators) {
    return validators <= 0 ? 0 : (validators - 1) / 3;
}
// ⌈2n/3⌉: validators needed to seal a block.
constexpr int quorum(int validators) {
    return (2 * validators + 2) / 3;
}

std::string_view toString(HostType);
std::string_view toString(NetworkKind);
std::string_view toString(Consensus);
std::string_view toString(Role);
std::string_view toString(DesiredState);
std::string_view toString(DeletionPolicy);

}  // namespace chainvisor::spec
