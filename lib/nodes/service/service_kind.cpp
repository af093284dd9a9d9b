#include "nodes/service/service_kind.h"

#include "nodes/unit_file.h"

namespace chainvisor::nodes {
namespace {

const spec::ServiceSpec* serviceOf(const spec::Cluster& spec, const spec::Node& node) {
    const auto* network = spec.findNetwork(node.network);
    return network != nullptr && network->service ? &*network->service : nullptr;
}

}  // namespace

std::string ServiceKind::unitName(const spec::Cluster& spec, const spec::Node& node) const {
    const auto* service = serviceOf(spec, node);
    return service != nullptr && !service->unit.empty() ? service->unit : "cv-" + node.name;
}

hosts::Result<std::vector<hosts::FileWrite>> ServiceKind::configFiles(
    const spec::Cluster& spec, const spec::Node& node) const {
    std::vector<hosts::FileWrite> files;
    const auto* service = serviceOf(spec, node);
    if (service == nullptr) {
        return files;
    }
    for (const auto& f : service->files) {
        // Owned by the service's user and its login group, so a 0600 file is still readable.
        files.push_back({f.path, f.content, f.mode, service->user, ""});
    }
    UnitFile unit;
    unit.description = "chainvisor node " + node.name + " (" + node.network + ")";
    unit.execStart = service->command;
    unit.user = service->user;
    unit.environment = service->environment;
    files.push_back(
        {"/etc/systemd/system/" + unitName(spec, node) + ".service", renderUnit(unit), 0644});
    return files;
}

std::optional<NodeReading> ServiceKind::read(const spec::Cluster& spec, const spec::Node& node,
                                             ProbeHttp& http) const {
    const auto* service = serviceOf(spec, node);
    if (service == nullptr || !service->probe || !node.ip) {
        return std::nullopt;
    }
    const auto& p = *service->probe;
    NodeReading reading;
    const auto r = http.get(node.ip->address.str(), p.port, p.path, p.timeout);
    if (!r.response) {
        reading.problem = r.error;
    } else if (r.response->status != p.expectStatus) {
        reading.problem = "GET " + p.path + " answered " + std::to_string(r.response->status) +
                          ", expected " + std::to_string(p.expectStatus);
    } else {
        reading.ready = true;
    }
    return reading;
}

int ServiceKind::failureThreshold(const spec::Cluster& spec, const spec::Node& node) const {
    const auto* service = serviceOf(spec, node);
    return service != nullptr && service->probe ? service->probe->failureThreshold : 3;
}

}  // namespace chainvisor::nodes
