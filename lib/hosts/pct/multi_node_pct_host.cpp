#include "hosts/pct/multi_node_pct_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

namespace chainvisor::hosts::pct {
namespace {

std::string ct(const std::string& host, int vmid) {
    return host + ": CT " + std::to_string(vmid);
}

}  // namespace

MultiNodePctHost::MultiNodePctHost(std::string name, std::vector<std::unique_ptr<PctHost>> nodes)
    : name_(std::move(name)), nodes_(std::move(nodes)) {}

PctHost* MultiNodePctHost::byNode(const std::string& pveNode) const {
    for (const auto& n : nodes_) {
        if (n->pveNode() == pveNode) {
            return n.get();
        }
    }
    return nullptr;
}

Error MultiNodePctHost::unknownNode(int vmid, const std::string& pveNode) const {
    std::string known;
    for (const auto& n : nodes_) {
        known += (known.empty() ? "" : ", ") + n->pveNode();
    }
    return Error::permanent(ct(name_, vmid) + ": pveNode '" + pveNode +
                            "' is not one of this host's nodes (" + known + ")");
}

Result<plan::ObservedHost> MultiNodePctHost::observe() {
    // The nodes answer over their own connections: asked at once, a pass takes as long as the
    // slowest node, not the sum.
    std::vector<std::future<Result<plan::ObservedHost>>> pending;
    pending.reserve(nodes_.size());
    for (const auto& n : nodes_) {
        PctHost* node = n.get();
        pending.push_back(std::async(std::launch::async, [node] { return node->observe(); }));
    }
    plan::ObservedHost host;
    host.name = name_;
    host.reachable = true;
    std::string errors;
    bool allPermanent = true;
    std::map<int, std::string> seen;
    std::set<int> ambiguous;
    std::set<std::string> blind;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const std::string& pveNode = nodes_[i]->pveNode();
        auto r = pending[i].get();
        if (!r) {
            blind.insert(pveNode);
            host.offlinePveNodes.insert(pveNode);
            errors += (errors.empty() ? "" : "; ") + r.error().message;
            allPermanent = allPermanent && r.error().kind == ErrorKind::Permanent;
            spdlog::warn("{}; acting on nothing on {} until it can be observed", r.error().message,
                         pveNode);
            continue;
        }
        for (auto& c : r.value().containers) {
            if (const auto [it, added] = seen.emplace(c.vmid, pveNode); !added) {
                ambiguous.insert(c.vmid);
                spdlog::warn("{}: vmid {} exists on both {} and {}", name_, c.vmid, it->second,
                             pveNode);
            }
            host.containers.push_back(std::move(c));
        }
    }
    if (!nodes_.empty() && blind.size() == nodes_.size()) {
        return Error{allPermanent ? ErrorKind::Permanent : ErrorKind::Transient,
                     nodes_.size() == 1 ? errors : "no node could be observed: " + errors};
    }
    std::stable_sort(host.containers.begin(), host.containers.end(),
                     [](const auto& a, const auto& b) { return a.vmid < b.vmid; });
    std::lock_guard guard(mutex_);
    // Containers on a node that could not be observed are presumed where they were.
    for (auto it = locations_.begin(); it != locations_.end();) {
        it = blind.contains(it->second) ? std::next(it) : locations_.erase(it);
    }
    for (const auto& [vmid, pveNode] : seen) {
        locations_.insert_or_assign(vmid, pveNode);
    }
    ambiguous_ = std::move(ambiguous);
    return host;
}

Result<PctHost*> MultiNodePctHost::locate(int vmid) {
    {
        std::lock_guard guard(mutex_);
        if (ambiguous_.contains(vmid)) {
            return Error::permanent(ct(name_, vmid) +
                                    " exists on more than one node of this host; refusing to "
                                    "guess which one is meant (give one of them another vmid)");
        }
        if (const auto it = locations_.find(vmid); it != locations_.end()) {
            if (PctHost* node = byNode(it->second)) {
                return node;
            }
        }
    }
    // Never seen: ask each node.
    std::string errors;
    bool transient = false;
    for (const auto& n : nodes_) {
        auto has = n->has(vmid);
        if (!has) {
            errors += (errors.empty() ? "" : "; ") + has.error().message;
            transient = transient || has.error().kind == ErrorKind::Transient;
            continue;
        }
        if (has.value()) {
            std::lock_guard guard(mutex_);
            locations_[vmid] = n->pveNode();
            return n.get();
        }
    }
    if (!errors.empty()) {
        // Not found where we could look; it may be where we could not.
        return Error{transient ? ErrorKind::Transient : ErrorKind::Permanent,
                     ct(name_, vmid) + ": not found on the nodes that answered; " + errors};
    }
    return static_cast<PctHost*>(nullptr);
}

Result<PctHost*> MultiNodePctHost::require(int vmid, const std::string& what) {
    auto node = locate(vmid);
    if (node && node.value() == nullptr) {
        return Error::transient(ct(name_, vmid) +
                                " does not exist on any of this host's nodes; "
                                "cannot " +
                                what);
    }
    return node;
}

Result<void> MultiNodePctHost::create(const ContainerSpec& spec) {
    PctHost* node = byNode(spec.pveNode);
    if (node == nullptr) {
        return unknownNode(spec.vmid, spec.pveNode);
    }
    auto r = node->create(spec);
    if (r) {
        std::lock_guard guard(mutex_);
        locations_[spec.vmid] = spec.pveNode;
    }
    return r;
}

Result<void> MultiNodePctHost::update(const ContainerSpec& spec,
                                      const std::vector<plan::FieldChange>& changes) {
    PctHost* node = byNode(spec.pveNode);
    if (node == nullptr) {
        return unknownNode(spec.vmid, spec.pveNode);
    }
    return node->update(spec, changes);
}

Result<void> MultiNodePctHost::resizeDisk(int vmid, int diskGiB) {
    auto node = require(vmid, "resize its disk");
    return node ? node.value()->resizeDisk(vmid, diskGiB) : Result<void>(node.error());
}

Result<void> MultiNodePctHost::start(int vmid) {
    auto node = require(vmid, "start it");
    return node ? node.value()->start(vmid) : Result<void>(node.error());
}

Result<void> MultiNodePctHost::stop(int vmid, std::chrono::seconds grace) {
    auto node = require(vmid, "stop it");
    return node ? node.value()->stop(vmid, grace) : Result<void>(node.error());
}

Result<void> MultiNodePctHost::snapshot(int vmid, const std::string& name) {
    auto node = require(vmid, "snapshot it");
    return node ? node.value()->snapshot(vmid, name) : Result<void>(node.error());
}

Result<void> MultiNodePctHost::rollback(int vmid, const std::string& name) {
    auto node = require(vmid, "roll it back");
    return node ? node.value()->rollback(vmid, name) : Result<void>(node.error());
}

Result<void> MultiNodePctHost::destroy(int vmid) {
    auto node = locate(vmid);
    if (!node) {
        return node.error();
    }
    if (node.value() == nullptr) {
        return {};  // on no node: gone already
    }
    auto r = node.value()->destroy(vmid);
    if (r) {
        std::lock_guard guard(mutex_);
        locations_.erase(vmid);
    }
    return r;
}

Result<ExecResult> MultiNodePctHost::exec(int vmid, const std::vector<std::string>& argv,
                                          std::chrono::milliseconds deadline) {
    auto node = require(vmid, "run a command in it");
    return node ? node.value()->exec(vmid, argv, deadline) : Result<ExecResult>(node.error());
}

Result<void> MultiNodePctHost::writeFile(int vmid, const FileWrite& file) {
    auto node = require(vmid, "write a file in it");
    return node ? node.value()->writeFile(vmid, file) : Result<void>(node.error());
}

}  // namespace chainvisor::hosts::pct
