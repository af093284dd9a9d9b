#include "engine/chain.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "plan/listing.h"

namespace chainvisor::engine {
namespace {

using plan::ActionKind;

hosts::Result<void> perform(const Chain& chain, const plan::Action& action,
                            const spec::Cluster& spec, hosts::Host& host, NodeAgent& agent) {
    switch (action.kind) {
        case ActionKind::CreateContainer:
            return host.create(chain.container);
        case ActionKind::UpdateContainer:
            return host.update(chain.container, action.changes);
        case ActionKind::ResizeDisk:
            return host.resizeDisk(action.vmid, action.diskGiB);
        case ActionKind::StartContainer:
            return host.start(action.vmid);
        case ActionKind::StopContainer:
            return host.stop(action.vmid, kContainerStopGrace);
        case ActionKind::SnapshotContainer:
            return host.snapshot(action.vmid, action.snapshot);
        case ActionKind::DestroyContainer:
            return host.destroy(action.vmid);
        case ActionKind::RollbackContainer: {
            if (auto r = host.rollback(action.vmid, action.snapshot); !r) {
                return r;
            }
            return host.start(action.vmid);
        }
        case ActionKind::InstallSoftware:
        case ActionKind::WriteConfig:
        case ActionKind::StartService:
        case ActionKind::RestartService:
        case ActionKind::StopService:
        case ActionKind::AwaitHealthy:
            return agent.perform(host, spec, chain.node, action);
    }
    return hosts::Error::permanent("unknown action kind");
}

// A provider that throws has a bug; the chain must still end with an outcome on its thread.
hosts::Result<void> performGuarded(const Chain& chain, const plan::Action& action,
                                   const spec::Cluster& spec, hosts::Host& host, NodeAgent& agent) {
    try {
        return perform(chain, action, spec, host, agent);
    } catch (const std::exception& e) {
        return hosts::Error::transient(std::string("unexpected error: ") + e.what());
    } catch (...) {
        return hosts::Error::transient("unexpected error");
    }
}

// Performs `action`; a journalled one is recorded before it starts and closed when it ends,
// whether it succeeded or failed (the outcome is then known). If the intent cannot be written the
// action does not start (a transient error).
hosts::Result<void> performRecorded(const Chain& chain, const plan::Action& action,
                                    const spec::Cluster& spec, hosts::Host& host, NodeAgent& agent,
                                    Journal& journal, const Clock& clock) {
    if (!journalled(action)) {
        return performGuarded(chain, action, spec, host, agent);
    }
    std::string error;
    const auto intent = journal.begin(action, clock.now(), error);
    if (!intent) {
        return hosts::Error::transient("cannot record intent in the journal: " + error);
    }
    auto result = performGuarded(chain, action, spec, host, agent);
    if (auto closeError = journal.end(*intent); !closeError.empty()) {
        spdlog::warn("{}: cannot close journal intent {}: {}", chain.node.name, *intent,
                     closeError);
    }
    return result;
}

// A node that failed its health gate goes back to the snapshot its chain took before the change
// (the last one, should there be several), under its own journal intent.
void rollBack(const Chain& chain, std::size_t failed, const spec::Cluster& spec, hosts::Host& host,
              NodeAgent& agent, Journal& journal, const Clock& clock, ChainOutcome& outcome) {
    const plan::Action* snapshot = nullptr;
    for (std::size_t i = 0; i < failed; ++i) {
        if (chain.actions[i].kind == ActionKind::SnapshotContainer) {
            snapshot = &chain.actions[i];
        }
    }
    if (snapshot == nullptr) {
        outcome.rollbackError =
            "no snapshot to roll back to (policy.snapshotBeforeDisruptive is off)";
        return;
    }
    plan::Action rollback = *snapshot;
    rollback.kind = ActionKind::RollbackContainer;
    rollback.disruption = plan::Disruption::Restart;
    rollback.reason = "health gate failed: back to snapshot " + snapshot->snapshot;
    auto result = performRecorded(chain, rollback, spec, host, agent, journal, clock);
    if (result) {
        outcome.rolledBackTo = snapshot->snapshot;
    } else {
        outcome.rollbackError = result.error().message;
    }
}

}  // namespace

bool journalled(const plan::Action& action) {
    return action.disruption >= plan::Disruption::Restart ||
           action.kind == ActionKind::CreateContainer ||
           action.kind == ActionKind::DestroyContainer;
}

ChainOutcome runChain(const Chain& chain, const spec::Cluster& specAtStart, hosts::Host& host,
                      NodeAgent& agent, Journal& journal, const Clock& clock) {
    ChainOutcome outcome;
    outcome.node = chain.node.name;
    for (std::size_t index = 0; index < chain.actions.size(); ++index) {
        const plan::Action& action = chain.actions[index];
        auto result = performRecorded(chain, action, specAtStart, host, agent, journal, clock);
        if (!result) {
            outcome.error = result.error();
            outcome.failedAction = describeBriefly(action);
            if (result.error().kind == hosts::ErrorKind::Unhealthy) {
                rollBack(chain, index, specAtStart, host, agent, journal, clock, outcome);
            }
            return outcome;
        }
        ++outcome.completed;
    }
    return outcome;
}

std::string describeBriefly(const plan::Action& action) {
    return std::string(plan::toString(action.kind)) + " (" + plan::detail::actionPlace(action) +
           "): " + action.reason;
}

Chain makeChain(const spec::Cluster& spec, std::vector<plan::Action> actions) {
    Chain chain;
    const plan::Action& first = actions.front();
    if (const spec::Node* node = spec.findNode(first.node)) {
        chain.node = *node;
        chain.container = hosts::containerSpecFor(spec, *node);
    } else {
        chain.node.name = first.node;
        chain.node.host = first.host;
        chain.node.pveNode = first.pveNode;
        chain.node.vmid = first.vmid;
        chain.node.state = spec::DesiredState::Absent;
        chain.container.vmid = first.vmid;
        chain.container.pveNode = first.pveNode;
        chain.container.owner = plan::OwnerMarker{spec.name, first.node};
    }
    chain.actions = std::move(actions);
    return chain;
}

}  // namespace chainvisor::engine
