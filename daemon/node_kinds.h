// The node kinds this build knows, looked up by network kind.
#pragma once

#include <filesystem>

#include "nodes/besu/besu_kind.h"
#include "nodes/bitcell/bitcell_kind.h"
#include "nodes/service/service_kind.h"
#include "nodes/systemd_agent.h"

namespace chainvisor::daemon {

class NodeKinds final : public nodes::KindRegistry {
public:
    // Kinds with node keys read them from `stateDir` (nodes/besu/key_store.h).
    explicit NodeKinds(const std::filesystem::path& stateDir)
        : besu_(stateDir), bitcell_(stateDir) {}

    const nodes::NodeKind* kindFor(const spec::Cluster& spec,
                                   const spec::Node& node) const override;

private:
    nodes::ServiceKind service_;
    nodes::besu::BesuKind besu_;
    nodes::bitcell::BitcellKind bitcell_;
};

}  // namespace chainvisor::daemon
