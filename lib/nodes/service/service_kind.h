// The generic `service` node kind: a systemd service running a command from the container's
// base image, the files it needs, and an HTTP probe.
#pragma once

#include "nodes/node_kind.h"

namespace chainvisor::nodes {

class ServiceKind final : public NodeKind {
public:
    std::string unitName(const spec::Cluster& spec, const spec::Node& node) const override;
    std::vector<hosts::FileWrite> configFiles(const spec::Cluster& spec,
                                              const spec::Node& node) const override;
    std::vector<std::vector<std::string>> installCommands(const spec::Cluster& spec,
                                                          const spec::Node& node) const override;
    std::optional<ProbeTarget> probe(const spec::Cluster& spec,
                                     const spec::Node& node) const override;
};

}  // namespace chainvisor::nodes
