#include "plan/node_sequence.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "plan/container_diff.h"
#include "plan/visibility.h"

namespace chainvisor::plan::detail {
namespace {

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) {
            out += separator;
        }
        out += part;
    }
    return out;
}

std::string shortFingerprint(const std::string& fingerprint) {
    return fingerprint.empty() ? "none" : fingerprint.substr(0, 8);
}

// Collects one node's actions; every action starts as a copy of `base` (node and place).
class SequenceBuilder {
public:
    explicit SequenceBuilder(Action base) : base_(std::move(base)) {}

    Action& add(ActionKind kind, std::string reason) {
        Action action = base_;
        action.kind = kind;
        action.reason = std::move(reason);
        sequence_.actions.push_back(std::move(action));
        return sequence_.actions.back();
    }
    void notice(std::string text) { sequence_.notices.push_back(std::move(text)); }

    // Moves the actions collected so far out, as a separate class-None sequence.
    std::vector<Action> takeActions() { return std::exchange(sequence_.actions, {}); }
    void setLiveOnly(std::vector<Action> actions) { sequence_.liveOnly = std::move(actions); }

    NodeSequence finish(Disruption disruption, Priority priority) {
        for (auto& action : sequence_.actions) {
            action.disruption = disruption;
        }
        sequence_.disruption = sequence_.actions.empty() ? Disruption::None : disruption;
        sequence_.priority = priority;
        return std::move(sequence_);
    }

private:
    Action base_;
    NodeSequence sequence_;
};

// What the node's software and config files need, and how to say so.
struct SoftwareNeed {
    bool install = false;
    spec::Version version;
    std::string installedText;  // "24.1.0" or "none"
    bool writeConfig = false;
    std::string fingerprint;
    std::string writtenFingerprint;

    bool any() const { return install || writeConfig; }

    std::string versionReason(bool restart) const {
        return "version " + installedText + " → " + version.str() + (restart ? " (restart)" : "");
    }
    std::string configReason(bool restart) const {
        return "config " + shortFingerprint(writtenFingerprint) + " → " +
               shortFingerprint(fingerprint) + (restart ? " (restart)" : "");
    }
    std::vector<std::string> reasons(bool restart) const {
        std::vector<std::string> out;
        if (install) {
            out.push_back(versionReason(restart));
        }
        if (writeConfig) {
            out.push_back(configReason(restart));
        }
        return out;
    }
    void addTo(SequenceBuilder& builder, bool restart) const {
        if (install) {
            builder.add(ActionKind::InstallSoftware, versionReason(restart)).version = version;
        }
        if (writeConfig) {
            builder.add(ActionKind::WriteConfig, configReason(restart)).configFingerprint =
                fingerprint;
        }
    }
};

SoftwareNeed softwareNeed(const spec::Cluster& spec, const spec::Node& node,
                          const ObservedNode* observed, const std::string& fingerprint) {
    SoftwareNeed need;
    const spec::Network* network = spec.findNetwork(node.network);
    const std::optional<spec::Version> installed =
        observed != nullptr ? observed->version : std::nullopt;
    // An empty version in the spec asks for none in particular (a validated spec always has one).
    if (network != nullptr && !network->version.empty() && installed != network->version) {
        need.install = true;
        need.version = network->version;
        need.installedText = installed ? installed->str() : "none";
    }
    need.fingerprint = fingerprint;
    need.writtenFingerprint = observed != nullptr ? observed->configFingerprint : "";
    need.writeConfig = need.writtenFingerprint != need.fingerprint;
    return need;
}

std::vector<std::string> describeChanges(const std::vector<FieldChange>& changes, bool running) {
    std::vector<std::string> out;
    for (const auto& change : changes) {
        out.push_back(describeChange(change, running));
    }
    return out;
}

void addUpdate(SequenceBuilder& builder, const std::vector<FieldChange>& changes, bool running) {
    if (changes.empty()) {
        return;
    }
    builder.add(ActionKind::UpdateContainer, join(describeChanges(changes, running), ", "))
        .changes = changes;
}

std::optional<std::string> resizeReason(const ContainerDiff& diff, bool running) {
    if (!diff.growDiskTo) {
        return std::nullopt;
    }
    return describeChange(FieldChange{"disk", std::to_string(diff.observedDiskGiB),
                                      std::to_string(*diff.growDiskTo), true},
                          running);
}

void addResize(SequenceBuilder& builder, const ContainerDiff& diff, bool running) {
    if (auto reason = resizeReason(diff, running)) {
        builder.add(ActionKind::ResizeDisk, *reason).diskGiB = *diff.growDiskTo;
    }
}

std::string serviceText(ServiceState state) {
    return state == ServiceState::Unknown ? "state unknown" : std::string(toString(state));
}

}  // namespace

std::string snapshotName(TimePoint now) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(now);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day date{days};
    const hh_mm_ss time{secs - days};
    char text[40];
    std::snprintf(text, sizeof text, "cv-%04d%02u%02u-%02d%02d%02d", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return text;
}

NodeSequence destroySequence(const Action& base, const ObservedContainer& container,
                             const std::string& reason) {
    SequenceBuilder builder(base);
    if (container.power != PowerState::Stopped) {
        builder.add(ActionKind::StopContainer, reason);
    }
    builder.add(ActionKind::DestroyContainer, reason);
    return builder.finish(Disruption::Destroy, Priority::Disruptive);
}

NodeSequence sequenceFor(const NodeFacts& facts) {
    const spec::Cluster& spec = *facts.spec;
    const spec::Node& node = *facts.node;
    const ObservedContainer* container = facts.container;

    Action base;
    base.node = node.name;
    base.host = node.host;
    base.pveNode = node.pveNode;
    base.vmid = node.vmid;
    SequenceBuilder builder(base);

    if (node.state == spec::DesiredState::Absent) {
        if (container == nullptr) {
            return {};
        }
        if (spec.policy.deletion == spec::DeletionPolicy::Orphan) {
            builder.notice("absent in spec; left in place (policy.deletion: orphan)");
            return builder.finish(Disruption::None, Priority::Change);
        }
        return destroySequence(base, *container, "absent in spec (policy.deletion: delete)");
    }

    const bool wantRunning = node.state == spec::DesiredState::Running;
    // On a host that manages containers only, nothing inside is installed, written or started.
    const SoftwareNeed software = facts.containersOnly
                                      ? SoftwareNeed{}
                                      : softwareNeed(spec, node, facts.observed, facts.fingerprint);
    const auto addService = [&](ActionKind kind, const std::string& why) {
        if (!facts.containersOnly) {
            builder.add(kind, why);
        }
    };

    if (container == nullptr) {
        builder.add(ActionKind::CreateContainer, "vmid " + std::to_string(node.vmid) +
                                                     " missing on " +
                                                     placeName(node.host, node.pveNode));
        // Software and config go in once the container runs (installs and file writes work
        // inside a running container), before the node's service first starts: a Besu node
        // must find its key in place, or it makes one of its own.
        if (wantRunning) {
            builder.add(ActionKind::StartContainer, "new container, spec says running");
            software.addTo(builder, false);
            addService(ActionKind::StartService, "new container, spec says running");
        }
        return builder.finish(Disruption::None, Priority::Create);
    }

    ContainerDiff diff = diffContainer(node, *container);
    if (diff.shrinkDiskTo) {
        const std::string have = std::to_string(diff.observedDiskGiB);
        builder.notice("disk cannot shrink (" + have + " → " + std::to_string(*diff.shrinkDiskTo) +
                       " GiB); set disk back to " + have + " or recreate the container");
    }
    if (facts.takeOwnership) {
        const std::string from =
            container->owner ? container->owner->cluster + "/" + container->owner->node : "";
        diff.changes.insert(diff.changes.begin(),
                            FieldChange{"owner", from, spec.name + "/" + node.name, true});
    }

    const bool running = container->power == PowerState::Running;
    const ServiceState service = facts.containersOnly        ? ServiceState::Active
                                 : facts.observed != nullptr ? facts.observed->service
                                                             : ServiceState::Unknown;

    if (!wantRunning) {
        if (running) {
            // Stop first, then everything else applies to a stopped container.
            builder.add(ActionKind::StopService, "container running, spec says stopped");
            builder.add(ActionKind::StopContainer, "container running, spec says stopped");
            addUpdate(builder, diff.changes, false);
            addResize(builder, diff, false);
            return builder.finish(Disruption::Stop, Priority::Disruptive);
        }
        // Software and config of a node meant to stay stopped wait until it runs again: they
        // can only be put into a running container.
        addUpdate(builder, diff.changes, false);
        addResize(builder, diff, false);
        return builder.finish(Disruption::None, Priority::Change);
    }

    if (!running) {
        // Down: bring it back with everything applied on the way; nothing is disrupted.
        addUpdate(builder, diff.changes, false);
        addResize(builder, diff, false);
        builder.add(ActionKind::StartContainer, "container stopped, spec says running");
        software.addTo(builder, false);
        addService(ActionKind::StartService, "container stopped, spec says running");
        return builder.finish(Disruption::None, Priority::Restore);
    }

    const bool containerRestart = diff.needsRestart();
    if (service != ServiceState::Active) {
        // The container runs but the node does not: restarting it disrupts nothing.
        const std::string why = "service " + serviceText(service) + ", spec says running";
        if (containerRestart) {
            const std::string restartWhy = join(describeChanges(diff.changes, true), ", ");
            builder.add(ActionKind::StopContainer, restartWhy);
            addUpdate(builder, diff.changes, true);
            builder.add(ActionKind::StartContainer, restartWhy);
        } else {
            addUpdate(builder, diff.changes, true);
        }
        addResize(builder, diff, true);
        software.addTo(builder, false);
        builder.add(
            service == ServiceState::Failed ? ActionKind::RestartService : ActionKind::StartService,
            why);
        return builder.finish(Disruption::None, Priority::Restore);
    }

    // Serving: live changes are free; anything else is one restart (one snapshot).
    if (!containerRestart && !software.any()) {
        if (diff.changes.empty() && !diff.growDiskTo) {
            return builder.finish(Disruption::None, Priority::Change);
        }
        addUpdate(builder, diff.changes, true);
        addResize(builder, diff, true);
        return builder.finish(Disruption::None, Priority::Change);
    }

    addUpdate(builder, diff.liveChanges(), true);
    addResize(builder, diff, true);
    builder.setLiveOnly(builder.takeActions());

    std::vector<std::string> restartReasons;
    for (const auto& change : diff.changes) {
        if (!change.live) {
            restartReasons.push_back(describeChange(change, true));
        }
    }
    for (auto& reason : software.reasons(true)) {
        restartReasons.push_back(std::move(reason));
    }
    const std::string restartWhy = join(restartReasons, "; ");
    if (spec.policy.snapshotBeforeDisruptive) {
        builder.add(ActionKind::SnapshotContainer, "before restart: " + restartWhy).snapshot =
            snapshotName(facts.now);
    }
    if (!containerRestart) {
        addUpdate(builder, diff.changes, true);  // all live
    }
    addResize(builder, diff, true);
    software.addTo(builder, true);
    if (containerRestart) {
        builder.add(ActionKind::StopContainer, restartWhy);
        addUpdate(builder, diff.changes, true);
        builder.add(ActionKind::StartContainer, restartWhy);
        addService(ActionKind::StartService, restartWhy);
    } else {
        addService(ActionKind::RestartService, restartWhy);
    }
    // The node counts as disrupted until it proves healthy again, so the next node of a rolling
    // change waits for this one; a node that does not is rolled back to the snapshot above.
    addService(ActionKind::AwaitHealthy,
               "after restart: " + restartWhy + " (within " +
                   std::to_string(spec.policy.healthGate.timeout.count()) + "s)");
    return builder.finish(Disruption::Restart, Priority::Disruptive);
}

}  // namespace chainvisor::plan::detail
