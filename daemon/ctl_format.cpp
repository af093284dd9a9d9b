#include "ctl_format.h"

#include <chrono>
#include <cstdio>

#include "control/rfc3339.h"
#include "ctl_table.h"

namespace chainvisor::ctl {
namespace {

using control::UnixSeconds;

std::string twoDigits(std::int64_t value) {
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%02lld", static_cast<long long>(value));
    return buffer;
}

std::string dashIfEmpty(std::string text) {
    return text.empty() ? "-" : text;
}

std::string when(UnixSeconds time) {
    return control::formatRfc3339(
        std::chrono::system_clock::time_point(std::chrono::seconds(time)));
}

std::string_view disruptionColour(std::string_view disruption) {
    if (disruption == "none") {
        return "32";
    }
    if (disruption == "restart" || disruption == "stop") {
        return "33";
    }
    return "31";  // replace, destroy
}

}  // namespace

std::string formatSpan(std::int64_t seconds) {
    if (seconds < 0) {
        seconds = 0;
    }
    if (seconds < 60) {
        return std::to_string(seconds) + "s";
    }
    if (seconds < 3600) {
        return std::to_string(seconds / 60) + "m" + twoDigits(seconds % 60) + "s";
    }
    if (seconds < 86400) {
        return std::to_string(seconds / 3600) + "h" + twoDigits(seconds % 3600 / 60) + "m";
    }
    return std::to_string(seconds / 86400) + "d" + twoDigits(seconds % 86400 / 3600) + "h";
}

std::string_view conditionColour(std::string_view condition) {
    if (condition == "Ready") {
        return "32";
    }
    if (condition == "Progressing") {
        return "36";
    }
    if (condition == "Degraded") {
        return "33";
    }
    if (condition == "Failed") {
        return "31";
    }
    if (condition == "Paused") {
        return "34";
    }
    return "35";  // Unknown
}

std::string formatStatus(const std::string& summary,
                         const std::vector<control::NetworkView>& networks,
                         const std::vector<control::NodeView>& nodes, UnixSeconds now,
                         bool colour) {
    std::string out = summary.empty() ? std::string() : summary + "\n\n";
    if (!networks.empty()) {
        Table table({"NETWORK", "CONDITION", "REASON", "VALIDATORS", "HEIGHT", "SINCE", "MESSAGE"});
        for (const auto& n : networks) {
            table.add({{n.name},
                       {dashIfEmpty(n.condition), conditionColour(n.condition)},
                       {dashIfEmpty(n.reason)},
                       {n.validators > 0 ? std::to_string(n.validatorsOnline) + "/" +
                                               std::to_string(n.validators) + " (quorum " +
                                               std::to_string(n.quorum) + ")"
                                         : "-"},
                       {n.height ? std::to_string(*n.height) : "-"},
                       {n.since ? formatSpan(now - n.since) : "-"},
                       {dashIfEmpty(n.message)}});
        }
        out += table.render(colour) + "\n";
    }
    if (nodes.empty()) {
        return out + "No nodes in the spec.\n";
    }
    Table table({"NODE", "NETWORK", "ROLE", "HOST", "VMID", "CONDITION", "REASON", "HEIGHT",
                 "PEERS", "SINCE"});
    for (const auto& n : nodes) {
        table.add({{n.name},
                   {dashIfEmpty(n.network)},
                   {dashIfEmpty(n.role)},
                   {dashIfEmpty(n.host)},
                   {n.vmid ? std::to_string(n.vmid) : "-"},
                   {dashIfEmpty(n.condition), conditionColour(n.condition)},
                   {dashIfEmpty(n.reason)},
                   {n.height ? std::to_string(*n.height) : "-"},
                   {n.peers ? std::to_string(*n.peers) : "-"},
                   {n.since ? formatSpan(now - n.since) : "-"}});
    }
    return out + table.render(colour);
}

std::string formatNode(const control::NodeView& n, UnixSeconds now, bool colour) {
    std::vector<std::pair<std::string, std::string>> lines;
    lines.emplace_back("Node", n.name);
    lines.emplace_back("Network", dashIfEmpty(n.network) + " (" + dashIfEmpty(n.role) + ")");
    lines.emplace_back("Host", dashIfEmpty(n.host) +
                                   (n.vmid ? ", vmid " + std::to_string(n.vmid) : std::string()));
    std::string condition = dashIfEmpty(n.condition);
    if (colour) {
        condition =
            "\x1b[" + std::string(conditionColour(n.condition)) + "m" + condition + "\x1b[0m";
    }
    if (!n.reason.empty()) {
        condition += " (" + n.reason + ")";
    }
    if (n.since) {
        condition += " for " + formatSpan(now - n.since) + ", since " + when(n.since);
    }
    lines.emplace_back("Condition", condition);
    lines.emplace_back("Message", dashIfEmpty(n.message));
    std::string attempts = std::to_string(n.attempts);
    if (n.nextRetry) {
        attempts +=
            "; next retry in " + formatSpan(*n.nextRetry - now) + " (" + when(*n.nextRetry) + ")";
    }
    lines.emplace_back("Attempts", attempts);
    lines.emplace_back("Container", dashIfEmpty(n.container));
    lines.emplace_back("Service", dashIfEmpty(n.service));
    lines.emplace_back("Version", dashIfEmpty(n.version));
    lines.emplace_back("Height", n.height ? std::to_string(*n.height) : "-");
    lines.emplace_back("Peers", n.peers ? std::to_string(*n.peers) : "-");
    lines.emplace_back("Paused", n.paused ? "yes" : "no");
    std::string out;
    for (const auto& [key, value] : lines) {
        out += key + ":" + std::string(10 - key.size(), ' ') + value + "\n";
    }
    return out;
}

std::string formatPlan(const control::PlanView& plan, UnixSeconds now, bool colour) {
    if (plan.pass == 0) {
        return "No pass has completed yet; try again shortly.\n";
    }
    std::string out = "Plan of pass " + std::to_string(plan.pass);
    if (plan.at) {
        out += ", " + formatSpan(now - *plan.at) + " ago";
    }
    out += ": ";
    if (plan.actions.empty()) {
        out += "no actions; the cluster matches the spec";
        out += plan.waiting.empty() ? ".\n" : " except for what waits.\n";
    } else {
        out += std::to_string(plan.actions.size()) +
               (plan.actions.size() == 1 ? " action.\n\n" : " actions.\n\n");
        Table table({"NODE", "ACTION", "DISRUPTION", "REASON"});
        for (const auto& a : plan.actions) {
            table.add(
                {{a.node}, {a.kind}, {a.disruption, disruptionColour(a.disruption)}, {a.reason}});
        }
        out += table.render(colour);
    }
    if (!plan.waiting.empty()) {
        out += "\nWaiting:\n";
        Table table({"NODE", "WHY"});
        for (const auto& w : plan.waiting) {
            table.add({{w.node}, {w.reason}});
        }
        out += table.render(colour);
    }
    if (!plan.notices.empty()) {
        out += "\nNotices:\n";
        Table table({"NODE", "NOTICE"});
        for (const auto& n : plan.notices) {
            table.add({{dashIfEmpty(n.node)}, {n.message}});
        }
        out += table.render(colour);
    }
    return out;
}

std::string formatEvent(const control::EventView& event) {
    return when(event.time) + " #" + std::to_string(event.sequence) + " " +
           dashIfEmpty(event.node) + " " + event.type + ": " + event.message + "\n";
}

}  // namespace chainvisor::ctl
