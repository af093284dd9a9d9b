#include "spec/cluster.h"

#include <algorithm>

namespace chainvisor::spec {
namespace {

template <typename T>
const T* findByName(const std::vector<T>& items, std::string_view name) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.name == name; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

const Host* Cluster::findHost(std::string_view wanted) const {
    return findByName(hosts, wanted);
}
const Network* Cluster::findNetwork(std::string_view wanted) const {
    return findByName(networks, wanted);
}
const Node* Cluster::findNode(std::string_view wanted) const {
    return findByName(nodes, wanted);
}

std::vector<const Node*> Cluster::validatorsOf(std::string_view network) const {
    std::vector<const Node*> out;
    for (const auto& node : nodes) {
        if (node.network == network && node.role == Role::Validator &&
            node.state != DesiredState::Absent) {
            out.push_back(&node);
        }
    }
    return out;
}

std::string_view toString(HostType t) {
    return t == HostType::Local ? "local" : "proxmox";
}

std::string_view toString(NetworkKind k) {
    switch (k) {
        case NetworkKind::Besu:
            return "besu";
        case NetworkKind::Bitcell:
            return "bitcell";
        case NetworkKind::Service:
            return "service";
    }
    return "?";
}

std::string_view toString(Consensus c) {
    switch (c) {
        case Consensus::None:
            return "none";
        case Consensus::Qbft:
            return "qbft";
        case Consensus::Ibft2:
            return "ibft2";
    }
    return "?";
}

std::string_view toString(Role r) {
    switch (r) {
        case Role::Validator:
            return "validator";
        case Role::Sentry:
            return "sentry";
        case Role::Rpc:
            return "rpc";
        case Role::Miner:
            return "miner";
        case Role::Full:
            return "full";
        case Role::Service:
            return "service";
    }
    return "?";
}

std::string_view toString(DesiredState s) {
    switch (s) {
        case DesiredState::Running:
            return "running";
        case DesiredState::Stopped:
            return "stopped";
        case DesiredState::Absent:
            return "absent";
    }
    return "?";
}

std::string_view toString(DeletionPolicy p) {
    return p == DeletionPolicy::Orphan ? "orphan" : "delete";
}

}  // namespace chainvisor::spec
