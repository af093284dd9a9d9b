#include "plan/action.h"

#include "plan/listing.h"

namespace chainvisor::plan {

std::string_view toString(ActionKind kind) {
    switch (kind) {
        case ActionKind::CreateContainer:
            return "create";
        case ActionKind::UpdateContainer:
            return "update";
        case ActionKind::ResizeDisk:
            return "resize-disk";
        case ActionKind::StartContainer:
            return "start";
        case ActionKind::StopContainer:
            return "stop";
        case ActionKind::SnapshotContainer:
            return "snapshot";
        case ActionKind::DestroyContainer:
            return "destroy";
        case ActionKind::InstallSoftware:
            return "install";
        case ActionKind::WriteConfig:
            return "write-config";
        case ActionKind::StartService:
            return "start-service";
        case ActionKind::RestartService:
            return "restart-service";
        case ActionKind::StopService:
            return "stop-service";
        case ActionKind::AwaitHealthy:
            return "health-gate";
        case ActionKind::RollbackContainer:
            return "rollback";
    }
    return "?";
}

std::string_view toString(Disruption disruption) {
    switch (disruption) {
        case Disruption::None:
            return "none";
        case Disruption::Restart:
            return "restart";
        case Disruption::Stop:
            return "stop";
        case Disruption::Replace:
            return "replace";
        case Disruption::Destroy:
            return "destroy";
    }
    return "?";
}

std::string describe(const Action& action) {
    return detail::actionLine(action, {});
}

}  // namespace chainvisor::plan
