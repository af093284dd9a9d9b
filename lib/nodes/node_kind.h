// What differs between node kinds (service, besu, bitcell): the unit, the files, how software is
// installed, how health is read and what the health gate after a change asks for. Rendering is a
// function of the spec (and, for kinds with keys, of the keys kept in the state directory), so the
// same spec always writes the same bytes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hosts/host.h"
#include "hosts/result.h"
#include "nodes/node_reading.h"
#include "nodes/probe_http.h"
#include "spec/cluster.h"

namespace chainvisor::nodes {

// A file on the daemon's machine copied into the container before the install commands run.
struct Upload {
    std::filesystem::path from;
    std::string to;      // absolute path inside the container
    std::string sha256;  // lower-case hex; non-empty: checked before the copy
};

struct InstallPlan {
    std::vector<Upload> uploads;
    std::vector<std::vector<std::string>> commands;  // argument vectors, in order; idempotent
};

// What the health gate after a restart-for-a-change waits for, besides the kind's readiness.
struct GateCriteria {
    int minPeers = 0;
    bool heightRising = false;  // the chain head must rise while the gate watches
    bool ownSeal = false;       // a validator must seal a block of its own while the gate watches
};

class NodeKind {
public:
    virtual ~NodeKind() = default;

    // systemd unit name, without ".service".
    virtual std::string unitName(const spec::Cluster& spec, const spec::Node& node) const = 0;
    // Every file the node needs, its unit file and key included. An error when one cannot be
    // made (a key that cannot be read).
    virtual hosts::Result<std::vector<hosts::FileWrite>> configFiles(
        const spec::Cluster& spec, const spec::Node& node) const = 0;
    // How the network's version gets into the container; idempotent.
    virtual InstallPlan installPlan(const spec::Cluster& spec, const spec::Node& node) const = 0;
    // One reading of the node's health over `http`; nullopt when the kind has no probe (an
    // active service is then all that is known).
    virtual std::optional<NodeReading> read(const spec::Cluster& spec, const spec::Node& node,
                                            ProbeHttp& http) const = 0;
    // Consecutive failed readings before a node counts as not ready.
    virtual int failureThreshold(const spec::Cluster&, const spec::Node&) const { return 3; }
    virtual GateCriteria gateCriteria(const spec::Cluster&, const spec::Node&) const { return {}; }
};

}  // namespace chainvisor::nodes
