// The generic `service` node kind: a systemd service running a command from the container's
// base image, the files it needs, and an HTTP probe.
#pragma once

#include "nodes/node_kind.h"

namespace chainvisor::nodes {

class ServiceKind final : public NodeKind {
public:
    std::string unitName(const spec::Cluster& spec, const spec::Node& node) const override;
    hosts::Result<std::vector<hosts::FileWrite>> configFiles(const spec::Cluster& spec,
                                                             const spec::Node& node) const override;
    // The command comes from the base image: "installing" a version only records it.
    InstallPlan installPlan(const spec::Cluster&, const spec::Node&) const override { return {}; }
    // One GET of the service's probe; nullopt without one.
    std::optional<NodeReading> read(const spec::Cluster& spec, const spec::Node& node,
                                    ProbeHttp& http) const override;
    int failureThreshold(const spec::Cluster& spec, const spec::Node& node) const override;
};

}  // namespace chainvisor::nodes
