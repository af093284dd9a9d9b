#include "engine/observer.h"

#include <exception>

namespace chainvisor::engine {
namespace {

std::string unexpected(const char* what) {
    return std::string("unexpected error: ") + what;
}

hosts::Result<plan::ObservedHost> observeGuarded(hosts::Host& host) {
    try {
        return host.observe();
    } catch (const std::exception& e) {
        return hosts::Error::transient(unexpected(e.what()));
    } catch (...) {
        return hosts::Error::transient(unexpected("unknown exception"));
    }
}

hosts::Result<plan::ObservedNode> inspectGuarded(NodeAgent& agent, hosts::Host& host,
                                                 const spec::Cluster& spec,
                                                 const spec::Node& node) {
    try {
        return agent.inspect(host, spec, node);
    } catch (const std::exception& e) {
        return hosts::Error::transient(unexpected(e.what()));
    } catch (...) {
        return hosts::Error::transient(unexpected("unknown exception"));
    }
}

}  // namespace

HostObservation unobservable(std::string host, std::string error) {
    HostObservation observation;
    observation.host.name = std::move(host);
    observation.host.reachable = false;
    observation.host.error = std::move(error);
    return observation;
}

bool managesContainer(const spec::Cluster& spec, const spec::Node& node,
                      const plan::ObservedContainer& container) {
    if (container.vmid != node.vmid || container.pveNode != node.pveNode) {
        return false;
    }
    if (!container.owner) {
        return node.adopt;
    }
    return container.owner->cluster == spec.name &&
           (container.owner->node == node.name || node.adopt);
}

HostObservation observeHost(const spec::Cluster& spec, const spec::Host& specHost,
                            hosts::Host& host, NodeAgent& agent) {
    auto seen = observeGuarded(host);
    if (!seen) {
        return unobservable(specHost.name, seen.error().message);
    }
    HostObservation observation;
    observation.host = std::move(seen.value());
    observation.host.name = specHost.name;
    observation.host.reachable = true;
    observation.host.containersOnly = !host.entersContainers();
    if (observation.host.containersOnly) {
        return observation;  // nothing inside to look at
    }
    for (const auto& node : spec.nodes) {
        if (node.host != specHost.name) {
            continue;
        }
        const plan::ObservedContainer* container = observation.host.findContainer(node.vmid);
        if (container == nullptr || container->power != plan::PowerState::Running ||
            observation.host.offlinePveNodes.contains(container->pveNode) ||
            !managesContainer(spec, node, *container)) {
            continue;
        }
        auto inside = inspectGuarded(agent, host, spec, node);
        plan::ObservedNode observed;
        if (inside) {
            observed = std::move(inside.value());
        } else {
            // Service and health stay Unknown; the planner does nothing to a node it cannot
            // see into, and counts it as down.
            observed.inspectError = inside.error().message;
        }
        observed.name = node.name;
        observation.nodes.push_back(std::move(observed));
    }
    return observation;
}

void addTo(plan::Observed& observed, HostObservation observation) {
    for (auto& node : observation.nodes) {
        auto name = node.name;
        observed.nodes.insert_or_assign(std::move(name), std::move(node));
    }
    auto name = observation.host.name;
    observed.hosts.insert_or_assign(std::move(name), std::move(observation.host));
}

plan::Observed observeAll(const spec::Cluster& spec, const HostMap& hosts, NodeAgent& agent) {
    plan::Observed observed;
    for (const auto& specHost : spec.hosts) {
        auto it = hosts.find(specHost.name);
        addTo(observed, it == hosts.end() || it->second == nullptr
                            ? unobservable(specHost.name, "no provider for host " + specHost.name)
                            : observeHost(spec, specHost, *it->second, agent));
    }
    return observed;
}

}  // namespace chainvisor::engine
