// What differs between node kinds (service, besu, bitcell): the unit, the files, how software is
// installed and how health is probed. Rendering is pure: a function of the spec alone, so the
// same spec always writes the same bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hosts/host.h"
#include "spec/cluster.h"

namespace chainvisor::nodes {

// An HTTP GET from the daemon to the node; healthy when it answers `expectStatus`.
struct ProbeTarget {
    std::string address;  // the node's IP
    int port = 0;
    std::string path;
    int expectStatus = 200;
    std::chrono::milliseconds timeout{2000};
    int failureThreshold = 3;
};

class NodeKind {
public:
    virtual ~NodeKind() = default;

    // systemd unit name, without ".service".
    virtual std::string unitName(const spec::Cluster& spec, const spec::Node& node) const = 0;
    // Every file the node needs, its unit file included.
    virtual std::vector<hosts::FileWrite> configFiles(const spec::Cluster& spec,
                                                      const spec::Node& node) const = 0;
    // Commands (argument vectors) that install the network's version; idempotent.
    virtual std::vector<std::vector<std::string>> installCommands(const spec::Cluster& spec,
                                                                  const spec::Node& node) const = 0;
    virtual std::optional<ProbeTarget> probe(const spec::Cluster& spec,
                                             const spec::Node& node) const = 0;
};

}  // namespace chainvisor::nodes
