#include "nodes/bitcell/bitcell_kind.h"

#include <algorithm>

#include "nodes/archive_install.h"
#include "nodes/besu/key_store.h"
#include "nodes/besu/secret.h"
#include "nodes/bitcell/bitcell_probe.h"
#include "nodes/bitcell/command_line.h"
#include "nodes/hex.h"
#include "nodes/unit_file.h"

namespace chainvisor::nodes::bitcell {
namespace {

using hosts::Error;

const ArchiveRelease kRelease{"bitcell", kUser, kHome};

// bitcell-node stops on SIGINT only (tokio::signal::ctrl_c); SIGTERM, systemd's default, would
// leave it running until the timeout's SIGKILL.
constexpr const char* kStopSignal = "SIGINT";
constexpr int kStopTimeoutSeconds = 120;

// The key as bitcell-node's --key-file reads it (crates/bitcell-node/src/keys.rs): after
// trimming, exactly 64 hex digits, a secp256k1 private key, no "0x" (Besu's form, with the
// prefix, is refused as "Unsupported key file format"). Same key store, same curve as Besu's.
std::string keyFileText(const besu::NodeKey& key) {
    std::string besuText = key.keyFileText();  // "0x" + 64 digits
    std::string text = std::string(withoutHexPrefix(besuText)) + "\n";
    besu::wipe(besuText);
    return text;
}

}  // namespace

int requiredPeers(const spec::Cluster& spec, const spec::Node& node) {
    const auto others = std::count_if(spec.nodes.begin(), spec.nodes.end(), [&](const auto& n) {
        return n.network == node.network && n.name != node.name &&
               n.state == spec::DesiredState::Running;
    });
    return std::min(spec.policy.healthGate.minPeers, static_cast<int>(others));
}

hosts::Result<std::vector<hosts::FileWrite>> BitcellKind::configFiles(
    const spec::Cluster& spec, const spec::Node& node) const {
    auto args = commandLine(spec, node);
    if (!args) {
        return args.error();
    }
    auto key = besu::loadNodeKey(node, stateDir_);
    if (!key.key) {
        // Keys are made when the daemon starts or reloads: a missing one heals on a retry.
        return Error::transient(key.error);
    }

    UnitFile unit;
    unit.description = "BitCell " + node.name + " (" + node.network + ", " +
                       std::string(spec::toString(node.role)) + "; managed by chainvisor)";
    unit.execStart = std::move(args.value());
    unit.user = kUser;
    unit.workingDirectory = kHome;
    unit.killSignal = kStopSignal;
    unit.timeoutStopSeconds = kStopTimeoutSeconds;

    std::vector<hosts::FileWrite> files;
    // Before the first start: without --key-file's key, bitcell-node makes a random one.
    files.push_back({kKeyPath, keyFileText(*key.key), 0600, kUser, ""});
    files.push_back({kUnitFile, renderUnit(unit), 0644});
    return files;
}

InstallPlan BitcellKind::installPlan(const spec::Cluster& spec, const spec::Node& node) const {
    const spec::Network* network = spec.findNetwork(node.network);
    return network != nullptr ? archiveInstallPlan(kRelease, *network) : InstallPlan{};
}

std::optional<NodeReading> BitcellKind::read(const spec::Cluster& spec, const spec::Node& node,
                                             ProbeHttp& http) const {
    if (spec.findNetwork(node.network) == nullptr || !node.ip) {
        return std::nullopt;
    }
    BitcellProbeTarget target;
    target.address = node.ip->address.str();
    target.rpcPort = node.ports.rpc;
    target.metricsPort = metricsPortOf(node.ports.p2p);
    target.minPeers = requiredPeers(spec, node);
    target.maxBlocksBehind = spec.policy.healthGate.maxBlocksBehind;
    return readBitcell(target, http);
}

GateCriteria BitcellKind::gateCriteria(const spec::Cluster& spec, const spec::Node& node) const {
    GateCriteria criteria;
    criteria.minPeers = requiredPeers(spec, node);
    criteria.heightRising = true;
    criteria.ownSeal = false;  // BitCell has no signer metrics to tell a node's own blocks by
    return criteria;
}

}  // namespace chainvisor::nodes::bitcell
