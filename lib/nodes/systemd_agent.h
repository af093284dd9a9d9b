// The node agent for every kind whose node is a systemd service in its container: it looks at
// the service with one `sh` call per inspection, reads health over HTTP from the daemon, and
// runs installs, config writes, systemctl and health gates through Host::exec / Host::writeFile.
//
// What was installed and which config was written are recorded inside the container
// (kStateDir/version, kStateDir/fingerprint), so the record travels with the container: a
// container rolled back to a snapshot reports the version it really has.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

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

// How a health gate waits between readings; injected so tests run gates without waiting.
struct GateTiming {
    std::chrono::milliseconds poll{1000};
    std::function<std::chrono::steady_clock::time_point()> now = [] {
        return std::chrono::steady_clock::now();
    };
    std::function<void(std::chrono::milliseconds)> sleep = [](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
    };
};

class SystemdAgent final : public NodeAgent {
public:
    SystemdAgent(const KindRegistry& kinds, ProbeHttp& http, GateTiming timing = {})
        : kinds_(kinds), http_(http), timing_(std::move(timing)) {}

    hosts::Result<plan::ObservedNode> inspect(hosts::Host& host, const spec::Cluster& spec,
                                              const spec::Node& node) override;
    hosts::Result<void> perform(hosts::Host& host, const spec::Cluster& spec,
                                const spec::Node& node, const plan::Action& action) override;

private:
    // Consecutive failed readings per node: NotReady only after the kind's threshold.
    int recordReading(const std::string& node, bool ready);
    hosts::Result<void> install(hosts::Host& host, const NodeKind& kind, const spec::Cluster& spec,
                                const spec::Node& node, const plan::Action& action);
    hosts::Result<void> awaitHealthy(const NodeKind& kind, const spec::Cluster& spec,
                                     const spec::Node& node);

    const KindRegistry& kinds_;
    ProbeHttp& http_;
    GateTiming timing_;
    std::mutex mutex_;  // inspect runs on several pool threads at once
    std::map<std::string, int> failedReadings_;
};

}  // namespace chainvisor::nodes
