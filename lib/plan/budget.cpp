#include "plan/budget.h"

#include <algorithm>

#include "plan/visibility.h"

namespace chainvisor::plan::detail {
namespace {

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) {
        out += (out.empty() ? "" : ", ") + part;
    }
    return out;
}

}  // namespace

bool validatorUp(const spec::Node& node, const Observed& observed) {
    if (blindReason(observed, node.host, node.pveNode)) {
        return false;
    }
    const ObservedHost* host = observed.findHost(node.host);
    const ObservedContainer* container = host != nullptr ? host->findContainer(node.vmid) : nullptr;
    if (container == nullptr || container->power != PowerState::Running ||
        blindReason(observed, node.host, container->pveNode)) {
        return false;
    }
    const ObservedNode* inside = observed.findNode(node.name);
    if (host->containersOnly) {
        // Nothing inside can be seen: a running container is all there is to go by.
        return inside == nullptr || !inside->operationInFlight;
    }
    return inside != nullptr && !inside->operationInFlight &&
           inside->service == ServiceState::Active && inside->health == Health::Ready;
}

NetworkBudget::NetworkBudget(const spec::Cluster& spec, const spec::Network& network,
                             const Observed& observed)
    : network_(network.name) {
    const auto validators = spec.validatorsOf(network.name);
    validators_ = static_cast<int>(validators.size());
    // The loader resolves the budget to ≤ f; clamp again so that no spec can plan past f.
    budget_ = std::clamp(network.validatorsDisrupted, 0, spec::faultTolerance(validators_));
    quorum_ = spec::quorum(validators_);
    for (const spec::Node* validator : validators) {
        if (!validatorUp(*validator, observed)) {
            down_.push_back(validator->name);
        }
    }
}

int NetworkBudget::remaining() const {
    return std::max(0, budget_ - static_cast<int>(down_.size()) - static_cast<int>(taken_.size()));
}

bool NetworkBudget::take(const std::string& node) {
    if (remaining() <= 0) {
        return false;
    }
    taken_.push_back(node);
    return true;
}

std::string NetworkBudget::belowQuorumReason() const {
    return network_ + " below quorum (" + std::to_string(up()) + " of " +
           std::to_string(validators_) + " up, need " + std::to_string(quorum_) +
           "); only restoring actions";
}

std::string NetworkBudget::exhaustedReason() const {
    if (budget_ == 0) {
        return "validator budget of " + network_ + " is 0 (" + std::to_string(validators_) +
               " validators tolerate none down)";
    }
    std::vector<std::string> parts;
    if (!down_.empty()) {
        parts.push_back(join(down_) + " down");
    }
    if (!taken_.empty()) {
        parts.push_back(join(taken_) + " disrupted by this plan");
    }
    const int used = static_cast<int>(down_.size() + taken_.size());
    return "validator budget of " + network_ + " used: " + join(parts) + " (" +
           std::to_string(used) + " of " + std::to_string(budget_) + ")";
}

Concurrency::Concurrency(const spec::Cluster& spec) : spec_(spec) {}

int Concurrency::limit(const std::string& host) const {
    const spec::Host* found = spec_.findHost(host);
    return found != nullptr ? found->maxConcurrentOperations
                            : spec_.policy.budgets.perHostConcurrent;
}

int Concurrency::used(const std::string& host, const std::string& pveNode) const {
    auto it = used_.find({host, pveNode});
    return it == used_.end() ? 0 : it->second;
}

void Concurrency::occupy(const std::string& host, const std::string& pveNode) {
    ++used_[{host, pveNode}];
    ++global_;
}

void Concurrency::occupyGlobal() {
    ++global_;
}

std::optional<std::string> Concurrency::blocked(const std::string& host,
                                                const std::string& pveNode) const {
    const int hostLimit = limit(host);
    if (const int hostUsed = used(host, pveNode); hostUsed >= hostLimit) {
        const std::string place = pveNode.empty() || pveNode == host ? host : host + "/" + pveNode;
        return "host " + place + " busy (" + std::to_string(hostUsed) + " of " +
               std::to_string(hostLimit) + " operations)";
    }
    const int globalLimit = spec_.policy.budgets.globalConcurrent;
    if (global_ >= globalLimit) {
        return "global concurrency limit reached (" + std::to_string(global_) + " of " +
               std::to_string(globalLimit) + " operations)";
    }
    return std::nullopt;
}

void Concurrency::take(const std::string& host, const std::string& pveNode) {
    occupy(host, pveNode);
}

}  // namespace chainvisor::plan::detail
