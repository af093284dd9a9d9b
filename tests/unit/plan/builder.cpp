#include "builder.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace chainvisor::plan::testing {

TimePoint fixedNow() {
    using namespace std::chrono;
    return TimePoint{sys_days{year{2026} / March / 14} + hours{10} + minutes{15}};
}

spec::Version version(const char* text) {
    auto parsed = spec::Version::parse(text);
    REQUIRE(parsed.has_value());
    return *parsed;
}

spec::Cluster makeCluster(std::string name) {
    spec::Cluster cluster;
    cluster.name = std::move(name);
    cluster.policy.budgets.globalConcurrent = 100;
    cluster.policy.budgets.perHostConcurrent = 10;
    return cluster;
}

spec::Host& addHost(spec::Cluster& cluster, std::string name, std::vector<std::string> pveNodes,
                    int maxConcurrent) {
    spec::Host host;
    host.name = std::move(name);
    host.type = pveNodes.empty() ? spec::HostType::Local : spec::HostType::Proxmox;
    host.pveNodes = std::move(pveNodes);
    host.maxConcurrentOperations = maxConcurrent;
    cluster.hosts.push_back(std::move(host));
    return cluster.hosts.back();
}

spec::Network& addNetwork(spec::Cluster& cluster, std::string name, std::string versionText,
                          int budget, spec::NetworkKind kind) {
    spec::Network network;
    network.name = std::move(name);
    network.kind = kind;
    network.consensus =
        kind == spec::NetworkKind::Besu ? spec::Consensus::Qbft : spec::Consensus::None;
    network.chainId = 1337 + cluster.networks.size();
    network.version = version(versionText.c_str());
    network.validatorsDisrupted = budget;
    cluster.networks.push_back(std::move(network));
    return cluster.networks.back();
}

spec::Node& addNode(spec::Cluster& cluster, std::string name, std::string network, spec::Role role,
                    std::string host, int vmid, std::string pveNode) {
    const spec::Host* found = cluster.findHost(host);
    REQUIRE(found != nullptr);
    std::size_t netIndex = 0;
    while (netIndex < cluster.networks.size() && cluster.networks[netIndex].name != network) {
        ++netIndex;
    }
    spec::Node node;
    node.name = std::move(name);
    node.network = std::move(network);
    node.role = role;
    node.host = std::move(host);
    node.pveNode = !pveNode.empty()          ? std::move(pveNode)
                   : found->pveNodes.empty() ? std::string{}
                                             : found->pveNodes.front();
    node.vmid = vmid;
    node.hostname = node.name;
    const auto octet = static_cast<std::uint32_t>(vmid % 250 + 2);
    const auto net = static_cast<std::uint32_t>(10 + netIndex);
    node.ip = spec::Ipv4Cidr{spec::Ipv4Address{(10u << 24) | (net << 16) | octet}, 24};
    node.gateway = spec::Ipv4Address{(10u << 24) | (net << 16) | 1u};
    node.bridge = "vmbr0";
    node.osTemplate = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
    node.storage = "local-lvm";
    node.resources = spec::Resources{2, 4096, 512, 16};
    node.ports = spec::Ports{30303, 8545, 9545};
    cluster.nodes.push_back(std::move(node));
    return cluster.nodes.back();
}

spec::Cluster devnet(int validators, int sentries, int rpcs) {
    spec::Cluster cluster = makeCluster();
    addHost(cluster, "pve1", {"pve1"});
    addNetwork(cluster, "devnet");
    for (int i = 1; i <= validators; ++i) {
        addNode(cluster, "val" + std::to_string(i), "devnet", spec::Role::Validator, "pve1",
                100 + i);
    }
    for (int i = 1; i <= sentries; ++i) {
        addNode(cluster, "sentry" + std::to_string(i), "devnet", spec::Role::Sentry, "pve1",
                200 + i);
    }
    for (int i = 1; i <= rpcs; ++i) {
        addNode(cluster, "rpc" + std::to_string(i), "devnet", spec::Role::Rpc, "pve1", 300 + i);
    }
    return cluster;
}

ObservedContainer makeContainer(const spec::Cluster& cluster, const spec::Node& node) {
    ObservedContainer c;
    c.vmid = node.vmid;
    c.pveNode = node.pveNode;
    c.power = node.state == spec::DesiredState::Running ? PowerState::Running : PowerState::Stopped;
    c.owner = OwnerMarker{cluster.name, node.name};
    c.hostname = node.hostname.empty() ? node.name : node.hostname;
    c.resources = node.resources;
    c.ip = node.ip;
    c.gateway = node.gateway;
    c.bridge = node.bridge;
    return c;
}

ObservedNode makeInside(const spec::Cluster& cluster, const spec::Node& node) {
    ObservedNode inside;
    inside.name = node.name;
    const bool running = node.state == spec::DesiredState::Running;
    inside.service = running ? ServiceState::Active : ServiceState::Inactive;
    inside.health = running ? Health::Ready : Health::Unknown;
    if (const spec::Network* network = cluster.findNetwork(node.network)) {
        inside.version = network->version;
    }
    inside.configFingerprint = desiredConfigFingerprint(cluster, node);
    return inside;
}

Observed converged(const spec::Cluster& cluster) {
    Observed world = emptyWorld(cluster);
    for (const auto& node : cluster.nodes) {
        if (node.state == spec::DesiredState::Absent) {
            continue;
        }
        world.hosts[node.host].containers.push_back(makeContainer(cluster, node));
        world.nodes[node.name] = makeInside(cluster, node);
    }
    return world;
}

ObservedContainer& containerOf(Observed& world, const spec::Cluster& cluster,
                               const std::string& name) {
    const spec::Node* node = cluster.findNode(name);
    REQUIRE(node != nullptr);
    auto& containers = world.hosts[node->host].containers;
    auto it = std::find_if(containers.begin(), containers.end(),
                           [&](const ObservedContainer& c) { return c.vmid == node->vmid; });
    REQUIRE(it != containers.end());
    return *it;
}

void refreshFingerprints(Observed& world, const spec::Cluster& cluster) {
    for (auto& [name, inside] : world.nodes) {
        if (const spec::Node* node = cluster.findNode(name)) {
            inside.configFingerprint = desiredConfigFingerprint(cluster, *node);
        }
    }
}

void removeContainer(Observed& world, const spec::Cluster& cluster, const std::string& name) {
    const spec::Node* node = cluster.findNode(name);
    REQUIRE(node != nullptr);
    auto& containers = world.hosts[node->host].containers;
    std::erase_if(containers, [&](const ObservedContainer& c) { return c.vmid == node->vmid; });
}

spec::Node& nodeOf(spec::Cluster& cluster, const std::string& name) {
    auto it = std::find_if(cluster.nodes.begin(), cluster.nodes.end(),
                           [&](const spec::Node& n) { return n.name == name; });
    REQUIRE(it != cluster.nodes.end());
    return *it;
}

std::vector<ActionKind> kindsOf(const Plan& plan, const std::string& node) {
    std::vector<ActionKind> kinds;
    for (const auto& action : plan.actions) {
        if (action.node == node) {
            kinds.push_back(action.kind);
        }
    }
    return kinds;
}

std::vector<const Action*> actionsOf(const Plan& plan, const std::string& node) {
    std::vector<const Action*> out;
    for (const auto& action : plan.actions) {
        if (action.node == node) {
            out.push_back(&action);
        }
    }
    return out;
}

std::vector<std::string> nodesInOrder(const Plan& plan) {
    std::vector<std::string> out;
    for (const auto& action : plan.actions) {
        if (std::find(out.begin(), out.end(), action.node) == out.end()) {
            out.push_back(action.node);
        }
    }
    return out;
}

std::string waitingReason(const Plan& plan, const std::string& node) {
    for (const auto& waiting : plan.waiting) {
        if (waiting.node == node) {
            return waiting.reason;
        }
    }
    return "";
}

std::vector<std::string> noticesOf(const Plan& plan, const std::string& node) {
    std::vector<std::string> out;
    for (const auto& notice : plan.notices) {
        if (notice.node == node) {
            out.push_back(notice.message);
        }
    }
    return out;
}

}  // namespace chainvisor::plan::testing
