// plan(spec, observed, now): what each node needs (node_sequence), then what may happen now.
//
// Per node, in this order: blind → Waiting; a container we may not touch (another cluster's, not
// ours without adopt, on another Proxmox node) → Notice; unknown power → Waiting; compute the
// node's sequence; nothing to do → nothing said; paused, operation in flight, failed permanently,
// in backoff, container locked → Waiting. What remains are candidates, admitted in priority order
// (restore, create, change, disruptive; then spec order) through the network gates (quorum,
// sentries before validators, validator budget) and the concurrency slots. A node's actions are
// admitted all together or not at all (one exception: when the network gates hold a disruptive
// sequence back, its live-only part may still run), and are emitted contiguously in the order
// they must run. Waiting entries and notices are listed in spec order, orphans last.
#include "plan/planner.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>

#include "plan/budget.h"
#include "plan/fingerprint.h"
#include "plan/node_sequence.h"
#include "plan/visibility.h"

namespace chainvisor::plan {
namespace {

using detail::NodeSequence;
using detail::Priority;

struct Hold {
    std::string reason;
    bool paused = false;
};

struct Candidate {
    std::size_t order = 0;             // spec order; orphans after every spec node
    const spec::Node* node = nullptr;  // nullptr: an orphan (not in the spec)
    std::string name;
    std::string host;
    std::string pveNode;
    bool validatorUp = false;  // a validator that is up now: disrupting it costs budget
    NodeSequence sequence;
};

class Planner {
public:
    Planner(const spec::Cluster& spec, const Observed& observed, TimePoint now)
        : spec_(spec), observed_(observed), now_(now), slots_(spec), fingerprints_(spec) {}

    Plan run() {
        for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
            surveyNode(i, spec_.nodes[i]);
        }
        surveyOrphans();
        occupyInFlight();
        admit();
        return finish();
    }

private:
    void wait(std::size_t order, std::string node, std::string reason) {
        waiting_.push_back({order, Waiting{std::move(node), std::move(reason)}});
    }
    void notice(std::size_t order, std::string node, std::string message) {
        notices_.push_back({order, Notice{std::move(node), std::move(message)}});
    }

    std::optional<Hold> holdFor(const std::string& name, const ObservedContainer* container) const {
        if (observed_.pausedAll || observed_.pausedNodes.contains(name)) {
            return Hold{"paused", true};
        }
        if (const ObservedNode* inside = observed_.findNode(name)) {
            if (inside->operationInFlight) {
                return Hold{"operation in progress"};
            }
            if (inside->permanentFailure) {
                return Hold{"failed permanently; fix the spec or the host"};
            }
            if (inside->retryAfter && *inside->retryAfter > now_) {
                return Hold{"retrying after backoff (attempt " + std::to_string(inside->attempts) +
                            ")"};
            }
        }
        if (container != nullptr && !container->lock.empty()) {
            return Hold{"container locked (" + container->lock + ")"};
        }
        return std::nullopt;
    }

    // A non-validator that still needs a disruptive change holds back its network's validators
    // (rolling order), whether it is admitted now or waits, unless an operator paused it.
    void noteRollingOrder(const spec::Node& node, const NodeSequence& sequence, const Hold* hold) {
        if (node.role != spec::Role::Validator && sequence.disruption >= Disruption::Restart &&
            (hold == nullptr || !hold->paused)) {
            nonValidatorsPending_.insert(node.network);
        }
    }

    void surveyNode(std::size_t order, const spec::Node& node) {
        const bool keepsAbsent = node.state == spec::DesiredState::Absent &&
                                 spec_.policy.deletion == spec::DeletionPolicy::Orphan;
        if (auto blind = detail::blindReason(observed_, node.host, node.pveNode)) {
            if (!keepsAbsent) {
                wait(order, node.name, *blind);
            }
            return;
        }
        const ObservedHost* host = observed_.findHost(node.host);
        const ObservedContainer* container = host->findContainer(node.vmid);
        bool takeOwnership = false;
        if (container != nullptr) {
            const std::string vmidText = "vmid " + std::to_string(node.vmid);
            const std::string place = detail::placeName(node.host, container->pveNode);
            const bool managed = node.state != spec::DesiredState::Absent;
            const auto& owner = container->owner;
            const bool ours = owner && owner->cluster == spec_.name && owner->node == node.name;
            if (container->pveNode != node.pveNode) {
                if (auto blind = detail::blindReason(observed_, node.host, container->pveNode)) {
                    if (!keepsAbsent) {
                        wait(order, node.name, *blind);
                    }
                } else if (managed || ours) {
                    notice(order, node.name,
                           vmidText + " is on " + place + ", not on " +
                               detail::placeName(node.host, node.pveNode) +
                               " as the spec says; migration is out of scope: move it or change "
                               "pveNode");
                }
                return;
            }
            if (owner && owner->cluster != spec_.name) {
                // Another chainvisor's container: never ours, adopt or not.
                if (managed) {
                    notice(order, node.name,
                           vmidText + " on " + place + " belongs to cluster " + owner->cluster +
                               " (node " + owner->node + "); left alone: choose another vmid");
                }
                return;
            }
            if (!ours && !node.adopt) {
                if (managed && owner) {
                    notice(order, node.name,
                           vmidText + " on " + place + " is marked as node " + owner->node +
                               ", not " + node.name + "; set adopt: true to manage it");
                } else if (managed) {
                    notice(order, node.name,
                           vmidText + " on " + place +
                               " exists but is not owned by chainvisor; set adopt: true to "
                               "manage it");
                }
                return;
            }
            takeOwnership = !ours && managed;
            if (container->power == PowerState::Unknown && !keepsAbsent) {
                wait(order, node.name, "container power state unknown");
                return;
            }
            // Not seeing inside a running container is blindness too: whether the node is
            // installed, configured and serving is unknown, so nothing is done to it.
            const ObservedNode* inside = observed_.findNode(node.name);
            if (container->power == PowerState::Running && inside != nullptr &&
                !inside->inspectError.empty() && !keepsAbsent) {
                wait(order, node.name, "cannot look inside the container: " + inside->inspectError);
                return;
            }
        }

        detail::NodeFacts facts;
        facts.spec = &spec_;
        facts.node = &node;
        facts.container = container;
        facts.observed = observed_.findNode(node.name);
        facts.takeOwnership = takeOwnership;
        facts.containersOnly = host->containersOnly;
        if (node.state != spec::DesiredState::Absent) {
            facts.fingerprint = fingerprints_.of(node);
        }
        facts.now = now_;
        // A sentry or RPC node still in the middle of a disruptive change (its health gate not
        // yet passed) holds its validators back even though what it needs now looks done.
        if (node.role != spec::Role::Validator && facts.observed != nullptr &&
            facts.observed->disruptionInFlight) {
            nonValidatorsPending_.insert(node.network);
        }
        NodeSequence sequence = detail::sequenceFor(facts);
        for (auto& text : sequence.notices) {
            notice(order, node.name, std::move(text));
        }
        if (sequence.empty()) {
            return;
        }
        if (auto hold = holdFor(node.name, container)) {
            noteRollingOrder(node, sequence, &*hold);
            wait(order, node.name, hold->reason);
            return;
        }
        noteRollingOrder(node, sequence, nullptr);
        Candidate candidate;
        candidate.order = order;
        candidate.node = &node;
        candidate.name = node.name;
        candidate.host = node.host;
        candidate.pveNode = node.pveNode;
        candidate.validatorUp =
            node.role == spec::Role::Validator && detail::validatorUp(node, observed_);
        candidate.sequence = std::move(sequence);
        candidates_.push_back(std::move(candidate));
    }

    bool claimedBySpec(const std::string& host, int vmid) const {
        return std::any_of(spec_.nodes.begin(), spec_.nodes.end(), [&](const spec::Node& node) {
            return node.host == host && node.vmid == vmid;
        });
    }

    // Containers of this cluster that no spec node claims (rule: orphans).
    void surveyOrphans() {
        std::size_t order = spec_.nodes.size();
        for (const auto& [hostName, host] : observed_.hosts) {
            if (!host.reachable) {
                continue;
            }
            std::vector<const ObservedContainer*> containers;
            for (const auto& container : host.containers) {
                containers.push_back(&container);
            }
            std::sort(containers.begin(), containers.end(),
                      [](const ObservedContainer* a, const ObservedContainer* b) {
                          return std::tie(a->pveNode, a->vmid) < std::tie(b->pveNode, b->vmid);
                      });
            for (const ObservedContainer* container : containers) {
                const auto& owner = container->owner;
                if (!owner || owner->cluster != spec_.name ||
                    claimedBySpec(hostName, container->vmid) ||
                    detail::blindReason(observed_, hostName, container->pveNode)) {
                    continue;
                }
                surveyOrphan(order++, hostName, *container);
            }
        }
    }

    void surveyOrphan(std::size_t order, const std::string& hostName,
                      const ObservedContainer& container) {
        const std::string& name = container.owner->node;
        const std::string where = "vmid " + std::to_string(container.vmid) + " on " +
                                  detail::placeName(hostName, container.pveNode);
        if (const spec::Node* named = spec_.findNode(name)) {
            notice(order, name,
                   where + " is marked as node " + name + ", which the spec places at vmid " +
                       std::to_string(named->vmid) + " on " +
                       detail::placeName(named->host, named->pveNode) + "; left in place");
            return;
        }
        if (spec_.policy.deletion == spec::DeletionPolicy::Orphan) {
            notice(order, name,
                   "orphaned: not in the cluster file; " + where +
                       " left in place (policy.deletion: orphan)");
            return;
        }
        if (container.power == PowerState::Unknown) {
            wait(order, name, "container power state unknown");
            return;
        }
        Action base;
        base.node = name;
        base.host = hostName;
        base.pveNode = container.pveNode;
        base.vmid = container.vmid;
        NodeSequence sequence = detail::destroySequence(
            base, container, "not in the cluster file (policy.deletion: delete)");
        if (auto hold = holdFor(name, &container)) {
            wait(order, name, hold->reason);
            return;
        }
        Candidate candidate;
        candidate.order = order;
        candidate.name = name;
        candidate.host = hostName;
        candidate.pveNode = container.pveNode;
        candidate.sequence = std::move(sequence);
        candidates_.push_back(std::move(candidate));
    }

    // Operations already running hold their slots: in the spec by the node's place, orphans by
    // their container's, anything else (a destroyed orphan still finishing) globally.
    void occupyInFlight() {
        for (const auto& [name, inside] : observed_.nodes) {
            if (!inside.operationInFlight) {
                continue;
            }
            if (const spec::Node* node = spec_.findNode(name)) {
                slots_.occupy(node->host, node->pveNode);
            } else if (auto place = findOrphanPlace(name)) {
                slots_.occupy(place->first, place->second);
            } else {
                slots_.occupyGlobal();
            }
        }
    }

    std::optional<std::pair<std::string, std::string>> findOrphanPlace(
        const std::string& name) const {
        for (const auto& [hostName, host] : observed_.hosts) {
            for (const auto& container : host.containers) {
                if (container.owner && container.owner->cluster == spec_.name &&
                    container.owner->node == name) {
                    return std::pair{hostName, container.pveNode};
                }
            }
        }
        return std::nullopt;
    }

    detail::NetworkBudget* budgetOf(const std::string& network) {
        auto it = budgets_.find(network);
        if (it == budgets_.end()) {
            const spec::Network* found = spec_.findNetwork(network);
            if (found == nullptr) {
                return nullptr;
            }
            it = budgets_.emplace(network, detail::NetworkBudget(spec_, *found, observed_)).first;
        }
        return &it->second;
    }

    // Why a disruptive sequence on `node` may not run now; nullopt when it may.
    std::optional<std::string> networkGate(const Candidate& candidate, bool& takesBudget) {
        takesBudget = false;
        const spec::Node* node = candidate.node;
        if (node == nullptr || candidate.sequence.disruption < Disruption::Restart) {
            return std::nullopt;
        }
        if (auto halt = observed_.haltedNetworks.find(node->network);
            halt != observed_.haltedNetworks.end()) {
            return halt->second;
        }
        detail::NetworkBudget* budget = budgetOf(node->network);
        if (budget == nullptr) {
            return std::nullopt;
        }
        if (budget->belowQuorum()) {
            return budget->belowQuorumReason();
        }
        if (node->role != spec::Role::Validator) {
            return std::nullopt;
        }
        if (nonValidatorsPending_.contains(node->network)) {
            return "waiting for sentries and RPC nodes of " + node->network + " first";
        }
        if (candidate.validatorUp) {
            if (budget->remaining() <= 0) {
                return budget->exhaustedReason();
            }
            takesBudget = true;
        }
        return std::nullopt;
    }

    void admit() {
        std::vector<std::size_t> byPriority(candidates_.size());
        std::iota(byPriority.begin(), byPriority.end(), std::size_t{0});
        std::stable_sort(byPriority.begin(), byPriority.end(), [&](std::size_t a, std::size_t b) {
            const Candidate& x = candidates_[a];
            const Candidate& y = candidates_[b];
            return std::tuple(x.sequence.priority, x.order) <
                   std::tuple(y.sequence.priority, y.order);
        });
        for (std::size_t index : byPriority) {
            Candidate& candidate = candidates_[index];
            bool takesBudget = false;
            if (auto gate = networkGate(candidate, takesBudget)) {
                wait(candidate.order, candidate.name, *gate);
                // What disrupts nothing need not wait for the rest.
                if (!candidate.sequence.liveOnly.empty() &&
                    !slots_.blocked(candidate.host, candidate.pveNode)) {
                    slots_.take(candidate.host, candidate.pveNode);
                    for (auto& action : candidate.sequence.liveOnly) {
                        plan_.actions.push_back(std::move(action));
                    }
                }
                continue;
            }
            if (auto busy = slots_.blocked(candidate.host, candidate.pveNode)) {
                wait(candidate.order, candidate.name, *busy);
                continue;
            }
            if (takesBudget) {
                budgetOf(candidate.node->network)->take(candidate.name);
            }
            slots_.take(candidate.host, candidate.pveNode);
            for (auto& action : candidate.sequence.actions) {
                plan_.actions.push_back(std::move(action));
            }
        }
    }

    Plan finish() {
        auto byOrder = [](const auto& a, const auto& b) { return a.first < b.first; };
        std::stable_sort(waiting_.begin(), waiting_.end(), byOrder);
        std::stable_sort(notices_.begin(), notices_.end(), byOrder);
        for (auto& entry : waiting_) {
            plan_.waiting.push_back(std::move(entry.second));
        }
        for (auto& entry : notices_) {
            plan_.notices.push_back(std::move(entry.second));
        }
        return std::move(plan_);
    }

    const spec::Cluster& spec_;
    const Observed& observed_;
    TimePoint now_;
    detail::Concurrency slots_;
    detail::ConfigFingerprints fingerprints_;
    std::map<std::string, detail::NetworkBudget> budgets_;
    std::set<std::string> nonValidatorsPending_;  // networks whose non-validators go first
    std::vector<Candidate> candidates_;
    std::vector<std::pair<std::size_t, Waiting>> waiting_;
    std::vector<std::pair<std::size_t, Notice>> notices_;
    Plan plan_;
};

}  // namespace

Plan plan(const spec::Cluster& spec, const Observed& observed, TimePoint now) {
    return Planner(spec, observed, now).run();
}

}  // namespace chainvisor::plan
