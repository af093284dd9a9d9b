// The `besu` node kind: a Hyperledger Besu node from its release archive, as a systemd service
// in its container. Everything it needs is rendered from the cluster file and the node keys kept
// in the state directory (key_store.h): genesis, config.toml, static nodes, the nodes allowlist,
// the key (0600, owned by the service user, written before the first start) and the unit.
#pragma once

#include <filesystem>

#include "nodes/node_kind.h"

namespace chainvisor::nodes::besu {

// Where things are inside a Besu container.
inline constexpr const char* kUser = "besu";
inline constexpr const char* kDataPath = "/var/lib/besu";
inline constexpr const char* kKeyPath = "/var/lib/besu/key";
inline constexpr const char* kConfigDir = "/etc/besu";

class BesuKind final : public NodeKind {
public:
    explicit BesuKind(std::filesystem::path stateDir) : stateDir_(std::move(stateDir)) {}

    std::string unitName(const spec::Cluster&, const spec::Node&) const override { return "besu"; }
    hosts::Result<std::vector<hosts::FileWrite>> configFiles(const spec::Cluster& spec,
                                                             const spec::Node& node) const override;
    InstallPlan installPlan(const spec::Cluster& spec, const spec::Node& node) const override;
    std::optional<NodeReading> read(const spec::Cluster& spec, const spec::Node& node,
                                    ProbeHttp& http) const override;
    int failureThreshold(const spec::Cluster&, const spec::Node&) const override { return 2; }
    GateCriteria gateCriteria(const spec::Cluster& spec, const spec::Node& node) const override;

private:
    std::filesystem::path stateDir_;
};

// BESU_OPTS for a container of `memoryMiB`: the JVM heap at half of it (RocksDB and the JVM's
// own memory live outside the heap), at least 256 MiB.
std::string besuOpts(int memoryMiB);

}  // namespace chainvisor::nodes::besu
