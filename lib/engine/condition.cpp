#include "engine/condition.h"

namespace chainvisor::engine {

std::string_view toString(ConditionType type) {
    switch (type) {
        case ConditionType::Ready:
            return "Ready";
        case ConditionType::Progressing:
            return "Progressing";
        case ConditionType::Degraded:
            return "Degraded";
        case ConditionType::Failed:
            return "Failed";
        case ConditionType::Unknown:
            return "Unknown";
        case ConditionType::Paused:
            return "Paused";
    }
    return "?";
}

}  // namespace chainvisor::engine
