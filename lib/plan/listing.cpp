#include "plan/listing.h"

#include <algorithm>
#include <array>

#include "plan/planner.h"
#include "plan/visibility.h"

namespace chainvisor::plan::detail {
namespace {

char symbol(ActionKind kind) {
    switch (kind) {
        case ActionKind::CreateContainer:
            return '+';
        case ActionKind::DestroyContainer:
            return '-';
        case ActionKind::UpdateContainer:
        case ActionKind::ResizeDisk:
        case ActionKind::InstallSoftware:
        case ActionKind::WriteConfig:
            return '~';
        case ActionKind::StartContainer:
        case ActionKind::StartService:
            return '>';
        case ActionKind::StopContainer:
        case ActionKind::StopService:
            return '.';
        case ActionKind::RestartService:
            return '*';
        case ActionKind::SnapshotContainer:
            return '@';
        case ActionKind::AwaitHealthy:
            return '?';
        case ActionKind::RollbackContainer:
            return '<';
    }
    return '?';
}

void padTo(std::string& out, std::string_view text, std::size_t width) {
    out += text;
    const std::size_t used = displayWidth(text);
    if (used < width) {
        out.append(width - used, ' ');
    }
}

}  // namespace

std::size_t displayWidth(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string actionPlace(const Action& action) {
    return "vmid " + std::to_string(action.vmid) + " on " + placeName(action.host, action.pveNode);
}

std::string actionLine(const Action& action, const Columns& columns) {
    std::string line;
    line += symbol(action.kind);
    line += ' ';
    padTo(line, toString(action.kind), columns.kind);
    line += ' ';
    padTo(line, action.node, columns.node);
    line += "  ";
    padTo(line, actionPlace(action), columns.place);
    line += "  ";
    padTo(line, action.reason, columns.reason);
    line += "  [";
    line += toString(action.disruption);
    line += ']';
    return line;
}

}  // namespace chainvisor::plan::detail

namespace chainvisor::plan {

std::string formatPlan(const Plan& plan) {
    std::string out;
    detail::Columns columns;
    for (const auto& action : plan.actions) {
        columns.node = std::max(columns.node, detail::displayWidth(action.node));
        columns.place = std::max(columns.place, detail::displayWidth(detail::actionPlace(action)));
        columns.reason = std::max(columns.reason, detail::displayWidth(action.reason));
    }
    for (const auto& action : plan.actions) {
        out += detail::actionLine(action, columns) + "\n";
    }
    for (const auto& waiting : plan.waiting) {
        out += "waiting: " + waiting.node + ": " + waiting.reason + "\n";
    }
    for (const auto& notice : plan.notices) {
        out +=
            "notice:  " + (notice.node.empty() ? "" : notice.node + ": ") + notice.message + "\n";
    }
    if (plan.actions.empty() && plan.waiting.empty()) {
        out += "No changes: the cluster matches the spec.\n";
        return out;
    }
    const std::size_t count = plan.actions.size();
    out += std::to_string(count) + (count == 1 ? " action" : " actions");
    constexpr std::array kClasses{Disruption::None, Disruption::Restart, Disruption::Stop,
                                  Disruption::Replace, Disruption::Destroy};
    std::string byClass;
    for (Disruption disruption : kClasses) {
        const auto n = std::count_if(plan.actions.begin(), plan.actions.end(),
                                     [&](const Action& a) { return a.disruption == disruption; });
        if (n > 0) {
            byClass += (byClass.empty() ? "" : ", ") + std::to_string(n) + " " +
                       std::string(toString(disruption));
        }
    }
    if (!byClass.empty()) {
        out += " (" + byClass + ")";
    }
    if (!plan.waiting.empty()) {
        out += ", " + std::to_string(plan.waiting.size()) + " waiting";
    }
    if (!plan.notices.empty()) {
        out += ", " + std::to_string(plan.notices.size()) +
               (plan.notices.size() == 1 ? " notice" : " notices");
    }
    out += "\n";
    return out;
}

}  // namespace chainvisor::plan
