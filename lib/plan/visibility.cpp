#include "plan/visibility.h"

namespace chainvisor::plan::detail {

std::optional<std::string> blindReason(const Observed& observed, std::string_view host,
                                       std::string_view pveNode) {
    const ObservedHost* seen = observed.findHost(host);
    if (seen == nullptr) {
        return "host " + std::string(host) + " not observed";
    }
    if (!seen->reachable) {
        std::string reason = "host " + std::string(host) + " unreachable";
        if (!seen->error.empty()) {
            reason += ": " + seen->error;
        }
        return reason;
    }
    if (!pveNode.empty() && seen->offlinePveNodes.contains(std::string(pveNode))) {
        return std::string(pveNode) + " offline";
    }
    return std::nullopt;
}

std::string placeName(std::string_view host, std::string_view pveNode) {
    return std::string(pveNode.empty() ? host : pveNode);
}

}  // namespace chainvisor::plan::detail
