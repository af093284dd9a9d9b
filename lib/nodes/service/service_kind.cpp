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

std::vector<hosts::FileWrite> ServiceKind::configFiles(const spec::Cluster& spec,
                                                       const spec::Node& node) const {
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

std::vector<std::vector<std::string>> ServiceKind::installCommands(const spec::Cluster&,
                                                                   const spec::Node&) const {
    // The command comes from the base image; "installing" a version only records it.
    return {};
}

std::optional<ProbeTarget> ServiceKind::probe(const spec::Cluster& spec,
                                              const spec::Node& node) const {
    const auto* service = serviceOf(spec, node);
    if (service == nullptr || !service->probe || !node.ip) {
        return std::nullopt;
    }
    const auto& p = *service->probe;
    return ProbeTarget{node.ip->address.str(), p.port,    p.path,
                       p.expectStatus,         p.timeout, p.failureThreshold};
}

}  // namespace chainvisor::nodes
