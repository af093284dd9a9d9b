#include "simulator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace chainvisor::plan::testing {
namespace {

bool blind(const Observed& world, const std::string& host, const std::string& pveNode) {
    const ObservedHost* h = world.findHost(host);
    return h == nullptr || !h->reachable ||
           (!pveNode.empty() && h->offlinePveNodes.contains(pveNode));
}

ObservedContainer* findContainer(Observed& world, const std::string& host, int vmid) {
    auto it = world.hosts.find(host);
    if (it == world.hosts.end()) {
        return nullptr;
    }
    for (auto& c : it->second.containers) {
        if (c.vmid == vmid) {
            return &c;
        }
    }
    return nullptr;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string hostnameOf(const spec::Node& node) {
    return node.hostname.empty() ? node.name : node.hostname;
}

bool held(const Observed& world, const std::string& name, TimePoint now) {
    if (world.pausedAll || world.pausedNodes.contains(name)) {
        return true;
    }
    const ObservedNode* inside = world.findNode(name);
    return inside != nullptr && (inside->operationInFlight || inside->permanentFailure ||
                                 (inside->retryAfter && *inside->retryAfter > now));
}

}  // namespace

bool isUp(const spec::Node& node, const Observed& world) {
    if (blind(world, node.host, node.pveNode)) {
        return false;
    }
    const ObservedContainer* c = world.findHost(node.host)->findContainer(node.vmid);
    if (c == nullptr || c->power != PowerState::Running || blind(world, node.host, c->pveNode)) {
        return false;
    }
    const ObservedNode* inside = world.findNode(node.name);
    return inside != nullptr && !inside->operationInFlight &&
           inside->service == ServiceState::Active && inside->health == Health::Ready;
}

std::string applyAction(const spec::Cluster& spec, Observed& world, const Action& a) {
    const std::string what = std::string(toString(a.kind)) + " " + a.node + ": ";
    if (blind(world, a.host, a.pveNode)) {
        return what + "blind place";
    }
    const spec::Node* node = spec.findNode(a.node);
    ObservedContainer* c = findContainer(world, a.host, a.vmid);
    if (a.kind == ActionKind::CreateContainer) {
        if (c != nullptr) {
            return what + "vmid already exists";
        }
        if (node == nullptr || node->state == spec::DesiredState::Absent) {
            return what + "create for a node the spec does not want";
        }
        ObservedContainer made;
        made.vmid = node->vmid;
        made.pveNode = node->pveNode;
        made.power = PowerState::Stopped;
        made.owner = OwnerMarker{spec.name, node->name};
        made.hostname = hostnameOf(*node);
        made.resources = node->resources;
        made.ip = node->ip;
        made.gateway = node->gateway;
        made.bridge = node->bridge;
        world.hosts[a.host].containers.push_back(made);
        ObservedNode inside;
        inside.name = node->name;
        inside.service = ServiceState::Inactive;
        world.nodes[node->name] = inside;
        return "";
    }
    if (c == nullptr) {
        return what + "no such container";
    }
    if (c->pveNode != a.pveNode) {
        return what + "container is on another Proxmox node";
    }
    if (!c->lock.empty()) {
        return what + "CT is locked (" + c->lock + ")";
    }
    if (c->owner && c->owner->cluster != spec.name) {
        return what + "another cluster's container";
    }
    const bool ours = c->owner && c->owner->node == a.node;
    if (!ours && !(node != nullptr && node->adopt)) {
        return what + "container not owned";
    }
    ObservedNode& inside = world.nodes[a.node];
    inside.name = a.node;
    const bool running = c->power == PowerState::Running;
    switch (a.kind) {
        case ActionKind::CreateContainer:
            break;
        case ActionKind::UpdateContainer:
            if (node == nullptr) {
                return what + "update of a node not in the spec";
            }
            if (a.changes.empty()) {
                return what + "empty update";
            }
            for (const auto& change : a.changes) {
                if (running && !change.live) {
                    return what + change.field + " changed on a running container";
                }
                if (change.field == "memory") {
                    c->resources.memoryMiB = node->resources.memoryMiB;
                } else if (change.field == "swap") {
                    c->resources.swapMiB = node->resources.swapMiB;
                } else if (change.field == "cores") {
                    c->resources.cores = node->resources.cores;
                } else if (change.field == "hostname") {
                    c->hostname = hostnameOf(*node);
                } else if (change.field == "ip") {
                    c->ip = node->ip;
                } else if (change.field == "gateway") {
                    c->gateway = node->gateway;
                } else if (change.field == "bridge") {
                    c->bridge = node->bridge;
                } else if (change.field == "owner") {
                    c->owner = OwnerMarker{spec.name, node->name};
                } else {
                    return what + "unknown field " + change.field;
                }
            }
            return "";
        case ActionKind::ResizeDisk:
            if (a.diskGiB <= c->resources.diskGiB) {
                return what + "disks cannot shrink";
            }
            c->resources.diskGiB = a.diskGiB;
            return "";
        case ActionKind::StartContainer:
            if (running) {
                return what + "CT already running";
            }
            c->power = PowerState::Running;
            return "";
        case ActionKind::StopContainer:
            if (!running) {
                return what + "CT not running";
            }
            c->power = PowerState::Stopped;
            inside.service = ServiceState::Inactive;
            return "";
        case ActionKind::SnapshotContainer:
            if (a.snapshot.empty()) {
                return what + "unnamed snapshot";
            }
            c->snapshots.push_back(a.snapshot);
            return "";
        case ActionKind::DestroyContainer: {
            if (running) {
                return what + "refusing to destroy a running CT";
            }
            auto& list = world.hosts[a.host].containers;
            std::erase_if(list, [&](const ObservedContainer& x) { return x.vmid == a.vmid; });
            world.nodes.erase(a.node);
            return "";
        }
        case ActionKind::InstallSoftware:
            if (!a.version) {
                return what + "no version";
            }
            inside.version = a.version;
            return "";
        case ActionKind::WriteConfig:
            if (a.configFingerprint.empty()) {
                return what + "no fingerprint";
            }
            inside.configFingerprint = a.configFingerprint;
            return "";
        case ActionKind::StartService:
        case ActionKind::RestartService:
            if (!running) {
                return what + "container not running";
            }
            inside.service = ServiceState::Active;
            inside.health = Health::Ready;
            return "";
        case ActionKind::StopService:
            if (!running) {
                return what + "container not running";
            }
            inside.service = ServiceState::Inactive;
            return "";
        case ActionKind::RollbackContainer:
            return what + "never planned";
        case ActionKind::AwaitHealthy:
            if (!running || inside.service != ServiceState::Active) {
                return what + "service not active";
            }
            return "";
    }
    return what + "unknown kind";
}

std::string firstViolation(const spec::Cluster& spec, const Observed& world, const Plan& p,
                           TimePoint now) {
    std::ostringstream out;
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Action*>> byNode;
    for (const auto& a : p.actions) {
        if (order.empty() || order.back() != a.node) {
            if (byNode.contains(a.node)) {
                return "actions of " + a.node + " are not contiguous";
            }
            order.push_back(a.node);
        }
        byNode[a.node].push_back(&a);
    }
    std::map<std::pair<std::string, std::string>, int> planned;
    for (const auto& [name, actions] : byNode) {
        const Action& first = *actions.front();
        const spec::Node* node = spec.findNode(name);
        for (const Action* a : actions) {
            if (a->host != first.host || a->pveNode != first.pveNode || a->vmid != first.vmid) {
                return name + ": actions name different places";
            }
            if (a->reason.empty()) {
                return name + ": action without a reason";
            }
            if (a->kind == ActionKind::SnapshotContainer && !spec.policy.snapshotBeforeDisruptive) {
                return name + ": snapshot although the policy says none";
            }
            if (a->kind == ActionKind::DestroyContainer) {
                const bool deleting = spec.policy.deletion == spec::DeletionPolicy::Delete;
                const bool absent = node == nullptr || node->state == spec::DesiredState::Absent;
                if (!deleting || !absent) {
                    return name + ": destroy without state absent and deletion: delete";
                }
            }
        }
        if (node != nullptr && (first.host != node->host || first.pveNode != node->pveNode ||
                                first.vmid != node->vmid)) {
            return name + ": actions not at the node's place";
        }
        if (blind(world, first.host, first.pveNode)) {
            return name + ": action on a blind place";
        }
        if (held(world, name, now)) {
            return name + ": action on a paused, failed, backing-off or in-flight node";
        }
        const ObservedContainer* c = world.findHost(first.host)->findContainer(first.vmid);
        if (first.kind == ActionKind::CreateContainer) {
            if (c != nullptr) {
                return name + ": create over an existing vmid";
            }
        } else if (c == nullptr) {
            return name + ": action on a missing container";
        } else {
            if (!c->lock.empty()) {
                return name + ": action on a locked container";
            }
            if (c->owner && c->owner->cluster != spec.name) {
                return name + ": action on another cluster's container";
            }
            const bool ours = c->owner && c->owner->node == name;
            if (!ours && !(node != nullptr && node->adopt)) {
                return name + ": action on a container it does not own";
            }
            if (c->pveNode != first.pveNode) {
                return name + ": action on a container on another Proxmox node";
            }
        }
        ++planned[{first.host, first.pveNode}];
    }

    // Validator budgets, quorum, rolling order.
    for (const auto& network : spec.networks) {
        const auto validators = spec.validatorsOf(network.name);
        const int n = static_cast<int>(validators.size());
        const int budget = std::min(network.validatorsDisrupted, spec::faultTolerance(n));
        int down = 0;
        for (const spec::Node* v : validators) {
            down += isUp(*v, world) ? 0 : 1;
        }
        int consumed = 0;
        bool validatorDisrupted = false;
        bool otherDisrupted = false;
        for (const auto& node : spec.nodes) {
            if (node.network != network.name || !byNode.contains(node.name)) {
                continue;
            }
            const auto& actions = byNode[node.name];
            const bool disruptive =
                std::any_of(actions.begin(), actions.end(),
                            [](const Action* a) { return a->disruption >= Disruption::Restart; });
            if (!disruptive) {
                continue;
            }
            if (n - down < spec::quorum(n)) {
                return network.name + ": disruptive action on " + node.name + " below quorum";
            }
            if (node.role == spec::Role::Validator) {
                validatorDisrupted = true;
                consumed += isUp(node, world) ? 1 : 0;
            } else {
                otherDisrupted = true;
            }
        }
        if (consumed > std::max(0, budget - down)) {
            out << network.name << ": " << consumed << " up validators disrupted, budget " << budget
                << ", down " << down;
            return out.str();
        }
        if (validatorDisrupted && otherDisrupted) {
            return network.name + ": validators disrupted together with sentries or RPC nodes";
        }
    }

    // Concurrency, counting operations in flight.
    std::map<std::pair<std::string, std::string>, int> inFlight;
    int inFlightTotal = 0;
    for (const auto& [name, inside] : world.nodes) {
        if (!inside.operationInFlight) {
            continue;
        }
        ++inFlightTotal;
        if (const spec::Node* node = spec.findNode(name)) {
            ++inFlight[{node->host, node->pveNode}];
        }
    }
    int total = 0;
    for (const auto& [place, count] : planned) {
        total += count;
        const spec::Host* host = spec.findHost(place.first);
        const int limit =
            host != nullptr ? host->maxConcurrentOperations : spec.policy.budgets.perHostConcurrent;
        const int held = inFlight.contains(place) ? inFlight[place] : 0;
        if (count > std::max(0, limit - held)) {
            return "host " + place.first + "/" + place.second + ": " + std::to_string(count) +
                   " nodes planned, limit " + std::to_string(limit) + ", in flight " +
                   std::to_string(held);
        }
    }
    if (total > std::max(0, spec.policy.budgets.globalConcurrent - inFlightTotal)) {
        return "global: " + std::to_string(total) + " nodes planned, limit " +
               std::to_string(spec.policy.budgets.globalConcurrent) + ", in flight " +
               std::to_string(inFlightTotal);
    }
    return "";
}

bool differsFromSpec(const spec::Cluster& spec, const Observed& world, const spec::Node& node) {
    const ObservedHost* host = world.findHost(node.host);
    const ObservedContainer* c = host != nullptr ? host->findContainer(node.vmid) : nullptr;
    if (node.state == spec::DesiredState::Absent) {
        return c != nullptr && c->owner && c->owner->cluster == spec.name &&
               c->owner->node == node.name && spec.policy.deletion == spec::DeletionPolicy::Delete;
    }
    if (c == nullptr) {
        return true;
    }
    const bool wantRunning = node.state == spec::DesiredState::Running;
    if ((c->power == PowerState::Running) != wantRunning) {
        return true;
    }
    const spec::Resources& r = c->resources;
    if (r.cores != node.resources.cores || r.memoryMiB != node.resources.memoryMiB ||
        r.swapMiB != node.resources.swapMiB || r.diskGiB < node.resources.diskGiB ||
        lower(c->hostname) != lower(hostnameOf(node)) || c->ip != node.ip ||
        c->gateway != node.gateway || c->bridge != node.bridge) {
        return true;
    }
    if (!wantRunning) {
        return false;  // software and config go into a node when it runs again
    }
    const ObservedNode* inside = world.findNode(node.name);
    const spec::Network* network = spec.findNetwork(node.network);
    return inside == nullptr || inside->service != ServiceState::Active ||
           inside->version != network->version ||
           inside->configFingerprint != desiredConfigFingerprint(spec, node);
}

std::string describeObserved(const spec::Cluster& spec, const Observed& world,
                             const spec::Node& node) {
    std::ostringstream out;
    out << node.name << " [" << spec::toString(node.role) << ", " << spec::toString(node.state)
        << (node.adopt ? ", adopt" : "") << "] at " << node.host << "/" << node.pveNode << " vmid "
        << node.vmid << ": ";
    const ObservedHost* host = world.findHost(node.host);
    const ObservedContainer* c = host != nullptr ? host->findContainer(node.vmid) : nullptr;
    if (c == nullptr) {
        out << "no container";
    } else {
        out << "container on " << c->pveNode << " power " << static_cast<int>(c->power) << " lock '"
            << c->lock << "' owner " << (c->owner ? c->owner->cluster + "/" + c->owner->node : "-")
            << " cores " << c->resources.cores << " mem " << c->resources.memoryMiB << " swap "
            << c->resources.swapMiB << " disk " << c->resources.diskGiB << " host " << c->hostname
            << " bridge " << c->bridge;
    }
    out << "; spec cores " << node.resources.cores << " mem " << node.resources.memoryMiB
        << " swap " << node.resources.swapMiB << " disk " << node.resources.diskGiB;
    if (const ObservedNode* inside = world.findNode(node.name)) {
        out << "; service " << static_cast<int>(inside->service) << " health "
            << static_cast<int>(inside->health) << " version "
            << (inside->version ? inside->version->str() : "-") << " fp "
            << inside->configFingerprint << " (want " << desiredConfigFingerprint(spec, node) << ")"
            << (inside->operationInFlight ? " in-flight" : "")
            << (inside->permanentFailure ? " failed" : "");
    } else {
        out << "; nothing observed inside";
    }
    return out.str();
}

}  // namespace chainvisor::plan::testing
