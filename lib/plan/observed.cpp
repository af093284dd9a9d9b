#include "plan/observed.h"

#include <algorithm>

namespace chainvisor::plan {

std::string_view toString(ServiceState state) {
    switch (state) {
        case ServiceState::Active:
            return "active";
        case ServiceState::Inactive:
            return "inactive";
        case ServiceState::Failed:
            return "failed";
        case ServiceState::Unknown:
            break;
    }
    return "unknown";
}

const ObservedContainer* ObservedHost::findContainer(int vmid) const {
    auto it = std::find_if(containers.begin(), containers.end(),
                           [vmid](const ObservedContainer& c) { return c.vmid == vmid; });
    return it == containers.end() ? nullptr : &*it;
}

const ObservedHost* Observed::findHost(std::string_view name) const {
    auto it = hosts.find(name);
    return it == hosts.end() ? nullptr : &it->second;
}

const ObservedNode* Observed::findNode(std::string_view name) const {
    auto it = nodes.find(name);
    return it == nodes.end() ? nullptr : &it->second;
}

Observed emptyWorld(const spec::Cluster& spec) {
    Observed world;
    for (const auto& host : spec.hosts) {
        ObservedHost observed;
        observed.name = host.name;
        observed.reachable = true;
        world.hosts.emplace(host.name, std::move(observed));
    }
    return world;
}

}  // namespace chainvisor::plan
