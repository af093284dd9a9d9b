// The `bitcell` node kind: a BitCell node (Steake/BitCell's bitcell-node) from its release
// archive, as a systemd service in its container. BitCell has no config file: the node is its
// command line (command_line.h) in the unit, plus its key (0600, owned by the service user,
// written before the first start) from the keys kept in the state directory (besu/key_store.h).
#pragma once

#include <filesystem>

#include "nodes/node_kind.h"

namespace chainvisor::nodes::bitcell {

inline constexpr const char* kUnitFile = "/etc/systemd/system/bitcell.service";

class BitcellKind final : public NodeKind {
public:
    explicit BitcellKind(std::filesystem::path stateDir) : stateDir_(std::move(stateDir)) {}

    std::string unitName(const spec::Cluster&, const spec::Node&) const override {
        return "bitcell";
    }
    hosts::Result<std::vector<hosts::FileWrite>> configFiles(const spec::Cluster& spec,
                                                             const spec::Node& node) const override;
    InstallPlan installPlan(const spec::Cluster& spec, const spec::Node& node) const override;
    std::optional<NodeReading> read(const spec::Cluster& spec, const spec::Node& node,
                                    ProbeHttp& http) const override;
    GateCriteria gateCriteria(const spec::Cluster& spec, const spec::Node& node) const override;

private:
    std::filesystem::path stateDir_;
};

// How many peers a node must have to be ready: policy.healthGate.minPeers, but never more than
// the other nodes of its network that are meant to run (a lone node is ready alone).
int requiredPeers(const spec::Cluster& spec, const spec::Node& node);

}  // namespace chainvisor::nodes::bitcell
