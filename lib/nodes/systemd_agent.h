// The node agent for every kind whose node is a systemd service in its container: it looks at
// the service with one `sh` call per inspection, probes health over HTTP from the daemon, and
// runs installs, config writes and systemctl through Host::exec / Host::writeFile.
//
// What was installed and which config was written are recorded inside the container
// (kStateDir/version, kStateDir/fingerprint), so the record travels with the container: a
// container rolled back to a snapshot reports the version it really has.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "nodes/node_agent.h"
#include "nodes/node_kind.h"
#include "spec/cluster.h"

namespace chainvisor::nodes {

inline constexpr const char* kStateDir = "/var/lib/chainvisor-node";

// Looks a node's kind up by its network's kind.
class KindRegistry {
public:
    virtual ~KindRegistry() = default;
    virtual const NodeKind* kindFor(const spec::Cluster& spec, const spec::Node& node) const = 0;
};

// The HTTP probe, injected so the agent is tested without a network.
class Prober {
public:
    virtual ~Prober() = default;
    // Empty string: healthy. Otherwise why not.
    virtual std::string probe(const ProbeTarget& target) = 0;
};

class HttpProber final : public Prober {
public:
    std::string probe(const ProbeTarget& target) override;
};

class SystemdAgent final : public NodeAgent {
public:
    SystemdAgent(const KindRegistry& kinds, Prober& prober) : kinds_(kinds), prober_(prober) {}

    hosts::Result<plan::ObservedNode> inspect(hosts::Host& host, const spec::Cluster& spec,
                                              const spec::Node& node) override;
    hosts::Result<void> perform(hosts::Host& host, const spec::Cluster& spec,
                                const spec::Node& node, const plan::Action& action) override;

private:
    // Consecutive probe failures per node: NotReady only after the kind's threshold.
    int recordProbe(const std::string& node, bool healthy);

    const KindRegistry& kinds_;
    Prober& prober_;
    std::mutex mutex_;  // inspect runs on several pool threads at once
    std::map<std::string, int> probeFailures_;
};

}  // namespace chainvisor::nodes
