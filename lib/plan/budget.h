// Budgets: how much disruption may happen at once. Per network, validators down ≤ the resolved
// budget (≤ f) and nothing disruptive below quorum; per Proxmox node and globally, a bounded
// number of nodes being worked on.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::plan::detail {

// Whether a validator is up, i.e. provably taking part in consensus now: its host and Proxmox
// node are visible, its container runs, its service is Active, its probes say Ready and no
// operation is in flight on it. Unknown health counts as down: a node just started (or made
// again, still syncing) has not proved anything yet, and kinds without probes report Ready for
// an active service. Paused nodes are judged the same way. Everything not provably up is down:
// budgets count it as used.
bool validatorUp(const spec::Node& node, const Observed& observed);

// One network's validator budget for one plan.
class NetworkBudget {
public:
    NetworkBudget(const spec::Cluster& spec, const spec::Network& network,
                  const Observed& observed);

    int validators() const { return validators_; }
    int budget() const { return budget_; }
    int up() const { return validators_ - static_cast<int>(down_.size()); }
    int quorum() const { return quorum_; }
    bool belowQuorum() const { return up() < quorum_; }
    // Validators that may still be taken down by this plan: max(0, budget − down − taken).
    int remaining() const;
    const std::vector<std::string>& down() const { return down_; }

    // Records that this plan disrupts the up validator `node`; false (and nothing recorded)
    // when the budget is used up.
    bool take(const std::string& node);

    std::string belowQuorumReason() const;  // "devnet below quorum (2 of 4 up, need 3); …"
    std::string exhaustedReason() const;    // "validator budget of devnet used: val2 down (1 of 1)"

private:
    std::string network_;
    int validators_ = 0;
    int budget_ = 0;
    int quorum_ = 0;
    std::vector<std::string> down_;   // in spec order
    std::vector<std::string> taken_;  // by this plan, in admission order
};

// Concurrency slots: per Proxmox node (host + pveNode) the host's maxConcurrentOperations, and
// spec.policy.budgets.globalConcurrent in all. A node with actions in a plan takes one slot; an
// operation already in flight holds one too.
class Concurrency {
public:
    explicit Concurrency(const spec::Cluster& spec);

    void occupy(const std::string& host, const std::string& pveNode);  // already in flight
    void occupyGlobal();  // in flight somewhere we cannot place

    // Why no slot is free for a node on host/pveNode ("host pve1 busy (2 of 2 operations)");
    // nullopt when one is.
    std::optional<std::string> blocked(const std::string& host, const std::string& pveNode) const;
    void take(const std::string& host, const std::string& pveNode);

    int used(const std::string& host, const std::string& pveNode) const;
    int usedGlobal() const { return global_; }
    int limit(const std::string& host) const;

private:
    const spec::Cluster& spec_;
    std::map<std::pair<std::string, std::string>, int> used_;
    int global_ = 0;
};

}  // namespace chainvisor::plan::detail
