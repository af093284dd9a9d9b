#include "nodes/systemd_agent.h"

#include <chrono>
#include <sstream>

#include "nodes/health_gate.h"
#include "nodes/software_archive.h"

namespace chainvisor::nodes {
namespace {

using namespace std::chrono_literals;
using hosts::Error;
using hosts::Result;

constexpr auto kInspectDeadline = 15s;
constexpr auto kSystemctlDeadline = 120s;
// A Besu unit's TimeoutStopSec is 900 s (a killed Besu risks its database): wait a little longer.
constexpr auto kStopDeadline = 960s;
constexpr auto kInstallDeadline = 600s;
constexpr auto kSystemdStartDeadline = 30s;

// Prints three lines; the unit name arrives as $1, never inside the script text.
// Waits (bounded by the exec deadline) for the container's systemd to accept requests: right
// after a container starts, systemctl fails with "Failed to connect to bus" for a moment.
constexpr const char* kWaitForSystemdScript =
    "until [ -S /run/systemd/private ]; do sleep 0.1; done";

constexpr const char* kInspectScript =
    "s=$(systemctl is-active \"$1\" 2>/dev/null); echo \"service=$s\"; "
    "echo \"version=$(cat "
    "/var/lib/chainvisor-node/version 2>/dev/null)\"; "
    "echo \"fingerprint=$(cat /var/lib/chainvisor-node/fingerprint 2>/dev/null)\"";

std::string lastLine(const std::string& text) {
    auto end = text.find_last_not_of("\n ");
    if (end == std::string::npos) {
        return {};
    }
    auto start = text.find_last_of('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

Result<void> execChecked(hosts::Host& host, int vmid, const std::vector<std::string>& argv,
                         std::chrono::milliseconds deadline, const std::string& what) {
    auto r = host.exec(vmid, argv, deadline);
    if (!r) {
        return r.error();
    }
    if (r.value().exitCode != 0) {
        auto detail = lastLine(r.value().err);
        if (detail.empty()) {
            detail = lastLine(r.value().out);
        }
        return Error::transient(what + " failed (exit " + std::to_string(r.value().exitCode) + ")" +
                                (detail.empty() ? "" : ": " + detail));
    }
    return {};
}

plan::ServiceState parseServiceState(const std::string& s) {
    if (s == "active" || s == "reloading") {
        return plan::ServiceState::Active;
    }
    if (s == "failed") {
        return plan::ServiceState::Failed;
    }
    if (s == "inactive") {
        return plan::ServiceState::Inactive;
    }
    return plan::ServiceState::Unknown;  // activating, deactivating, or systemd not up yet
}

}  // namespace

int SystemdAgent::recordReading(const std::string& node, bool ready) {
    std::lock_guard lock(mutex_);
    int& failures = failedReadings_[node];
    failures = ready ? 0 : failures + 1;
    return failures;
}

Result<plan::ObservedNode> SystemdAgent::inspect(hosts::Host& host, const spec::Cluster& spec,
                                                 const spec::Node& node) {
    const NodeKind* kind = kinds_.kindFor(spec, node);
    if (kind == nullptr) {
        return Error::permanent("no node kind for network " + node.network);
    }
    auto r = host.exec(node.vmid, {"sh", "-c", kInspectScript, "sh", kind->unitName(spec, node)},
                       kInspectDeadline);
    if (!r) {
        return r.error();
    }
    plan::ObservedNode observed;
    observed.name = node.name;
    std::istringstream lines(r.value().out);
    for (std::string line; std::getline(lines, line);) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) {
            continue;
        }
        const auto key = line.substr(0, eq);
        const auto value = line.substr(eq + 1);
        if (key == "service") {
            observed.service = parseServiceState(value);
        } else if (key == "version" && !value.empty()) {
            observed.version = spec::Version::parse(value);
        } else if (key == "fingerprint") {
            observed.configFingerprint = value;
        }
    }
    observed.health = plan::Health::Unknown;
    if (observed.service == plan::ServiceState::Active) {
        if (auto reading = kind->read(spec, node, http_)) {
            observed.height = reading->height;
            observed.peers = reading->peers;
            observed.healthProblem = reading->problem;
            const int failures = recordReading(node.name, reading->ready);
            if (reading->ready) {
                observed.health = plan::Health::Ready;
            } else if (failures >= kind->failureThreshold(spec, node)) {
                observed.health = plan::Health::NotReady;
            }
        } else {
            observed.health = plan::Health::Ready;  // no probe: an active service is all we know
        }
    }
    return observed;
}

Result<void> SystemdAgent::perform(hosts::Host& host, const spec::Cluster& spec,
                                   const spec::Node& node, const plan::Action& action) {
    const NodeKind* kind = kinds_.kindFor(spec, node);
    if (kind == nullptr) {
        return Error::permanent("no node kind for network " + node.network);
    }
    const auto unit = kind->unitName(spec, node);
    const int vmid = node.vmid;
    if (action.kind != plan::ActionKind::InstallSoftware) {
        if (auto r = execChecked(host, vmid, {"sh", "-c", kWaitForSystemdScript},
                                 kSystemdStartDeadline, "waiting for systemd in the container");
            !r) {
            return r;
        }
    }
    switch (action.kind) {
        case plan::ActionKind::InstallSoftware:
            return install(host, *kind, spec, node, action);
        case plan::ActionKind::WriteConfig: {
            auto files = kind->configFiles(spec, node);
            if (!files) {
                return files.error();
            }
            for (const auto& file : files.value()) {
                if (auto r = host.writeFile(vmid, file); !r) {
                    return r;
                }
            }
            if (auto r = execChecked(host, vmid, {"systemctl", "daemon-reload"}, kSystemctlDeadline,
                                     "systemctl daemon-reload");
                !r) {
                return r;
            }
            return host.writeFile(vmid, {std::string(kStateDir) + "/fingerprint",
                                         action.configFingerprint + "\n", 0644});
        }
        case plan::ActionKind::StartService:
            return execChecked(host, vmid, {"systemctl", "enable", "--now", unit + ".service"},
                               kSystemctlDeadline, "systemctl enable --now " + unit);
        case plan::ActionKind::RestartService:
            return execChecked(host, vmid, {"systemctl", "restart", unit + ".service"},
                               kStopDeadline, "systemctl restart " + unit);
        case plan::ActionKind::StopService:
            return execChecked(host, vmid, {"systemctl", "stop", unit + ".service"}, kStopDeadline,
                               "systemctl stop " + unit);
        case plan::ActionKind::AwaitHealthy:
            return awaitHealthy(*kind, spec, node);
        default:
            return Error::permanent(std::string("not an in-container action: ") +
                                    std::string(plan::toString(action.kind)));
    }
}

Result<void> SystemdAgent::install(hosts::Host& host, const NodeKind& kind,
                                   const spec::Cluster& spec, const spec::Node& node,
                                   const plan::Action& action) {
    const int vmid = node.vmid;
    const InstallPlan installPlan = kind.installPlan(spec, node);
    for (const auto& upload : installPlan.uploads) {
        auto content = readSoftwareArchive(upload.from, upload.sha256);
        if (!content) {
            return content.error();
        }
        if (auto r = host.writeFile(vmid, {upload.to, std::move(content.value()), 0644}); !r) {
            return r;
        }
    }
    const auto version = action.version ? action.version->str() : std::string{};
    for (std::size_t step = 0; step < installPlan.commands.size(); ++step) {
        if (auto r = execChecked(host, vmid, installPlan.commands[step], kInstallDeadline,
                                 "installing " + (version.empty() ? "the software" : version) +
                                     " (step " + std::to_string(step + 1) + " of " +
                                     std::to_string(installPlan.commands.size()) + ")");
            !r) {
            return r;
        }
    }
    return host.writeFile(vmid, {std::string(kStateDir) + "/version", version + "\n", 0644});
}

Result<void> SystemdAgent::awaitHealthy(const NodeKind& kind, const spec::Cluster& spec,
                                        const spec::Node& node) {
    HealthGate gate(kind.gateCriteria(spec, node));
    const auto deadline = timing_.now() + spec.policy.healthGate.timeout;
    for (;;) {
        const auto reading = kind.read(spec, node, http_);
        if (!reading || gate.feed(*reading)) {
            return {};  // a kind without probes has nothing more to show than a started unit
        }
        if (timing_.now() + timing_.poll > deadline) {
            return Error::unhealthy("health gate (" + gate.describe() + ") not passed within " +
                                    std::to_string(spec.policy.healthGate.timeout.count()) +
                                    "s: " + gate.missing());
        }
        timing_.sleep(timing_.poll);
    }
}

}  // namespace chainvisor::nodes
