#include "engine_control.h"

#include <chrono>

namespace chainvisor::daemon {
namespace {

control::UnixSeconds unixSeconds(plan::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string powerText(const engine::NodeStatus& status) {
    if (!status.containerExists) {
        return status.power == plan::PowerState::Unknown ? "unknown" : "missing";
    }
    switch (status.power) {
        case plan::PowerState::Running:
            return "running";
        case plan::PowerState::Stopped:
            return "stopped";
        case plan::PowerState::Unknown:
            break;
    }
    return "unknown";
}

}  // namespace

control::NodeView EngineControl::view(const spec::Node& node,
                                      const engine::NodeStatus& status) const {
    control::NodeView v;
    v.name = node.name;
    v.network = node.network;
    v.role = std::string(spec::toString(node.role));
    v.host = node.host;
    v.vmid = node.vmid;
    v.condition = std::string(engine::toString(status.condition.type));
    v.reason = status.condition.reason;
    v.message = status.condition.message;
    v.since = unixSeconds(status.condition.since);
    v.attempts = status.condition.attempts;
    if (status.condition.nextRetry) {
        v.nextRetry = unixSeconds(*status.condition.nextRetry);
    }
    v.container = powerText(status);
    v.service = std::string(plan::toString(status.service));
    if (status.version) {
        v.version = status.version->str();
    }
    if (status.height) {
        v.height = static_cast<std::int64_t>(*status.height);
    }
    if (status.peers) {
        v.peers = static_cast<int>(*status.peers);
    }
    v.paused = reconciler_.pausedAll() || reconciler_.pausedNodes().contains(node.name);
    return v;
}

std::vector<control::NodeView> EngineControl::nodes() {
    std::vector<control::NodeView> out;
    const auto& statuses = reconciler_.nodes();
    for (const auto& node : reconciler_.spec().nodes) {
        if (auto it = statuses.find(node.name); it != statuses.end()) {
            out.push_back(view(node, it->second));
        }
    }
    return out;
}

std::vector<control::NetworkView> EngineControl::networks() {
    std::vector<control::NetworkView> out;
    const auto& statuses = reconciler_.networks();
    for (const auto& network : reconciler_.spec().networks) {
        auto it = statuses.find(network.name);
        if (it == statuses.end()) {
            continue;
        }
        const engine::NetworkStatus& s = it->second;
        control::NetworkView v;
        v.name = network.name;
        v.condition = std::string(engine::toString(s.condition.type));
        v.reason = s.condition.reason;
        v.message = s.condition.message;
        v.since = unixSeconds(s.condition.since);
        v.validators = s.validators;
        v.validatorsOnline = s.validatorsOnline;
        v.quorum = s.quorum;
        if (s.height) {
            v.height = static_cast<std::int64_t>(*s.height);
        }
        v.halted = s.halted;
        out.push_back(std::move(v));
    }
    return out;
}

std::optional<control::NodeView> EngineControl::node(std::string_view name) {
    const spec::Node* node = reconciler_.spec().findNode(name);
    if (node == nullptr) {
        return std::nullopt;
    }
    auto it = reconciler_.nodes().find(name);
    if (it == reconciler_.nodes().end()) {
        return std::nullopt;
    }
    return view(*node, it->second);
}

control::PlanView EngineControl::plan() {
    control::PlanView v;
    v.pass = loop_.passes();
    if (auto at = reconciler_.lastPass()) {
        v.at = unixSeconds(*at);
    }
    const auto& plan = reconciler_.lastPlan();
    for (const auto& a : plan.actions) {
        v.actions.push_back(
            control::PlannedAction{a.node, std::string(plan::toString(a.kind)), a.reason,
                                   std::string(plan::toString(a.disruption)), a.host});
    }
    for (const auto& w : plan.waiting) {
        v.waiting.push_back(control::WaitingNode{w.node, w.reason});
    }
    for (const auto& n : plan.notices) {
        v.notices.push_back(control::NoticeView{n.node, n.message});
    }
    return v;
}

std::vector<control::EventView> EngineControl::events(std::uint64_t after, std::size_t limit) {
    std::vector<control::EventView> out;
    for (const auto& e : events_.since(after, limit)) {
        out.push_back(
            control::EventView{e.sequence, unixSeconds(e.time), e.node, e.type, e.message});
    }
    return out;
}

bool EngineControl::pause(std::optional<std::string> node) {
    const bool known = reconciler_.pause(std::move(node));
    if (known) {
        loop_.trigger("paused by an operator");
    }
    return known;
}

bool EngineControl::resume(std::optional<std::string> node) {
    const bool known = reconciler_.resume(std::move(node));
    if (known) {
        loop_.trigger("resumed by an operator");
    }
    return known;
}

std::uint64_t EngineControl::reconcile() {
    // A pass already observing started before this request: the one after it is the answer.
    const std::uint64_t pass = loop_.passes() + (loop_.passRunning() ? 2 : 1);
    loop_.trigger("requested over the control socket");
    return pass;
}

}  // namespace chainvisor::daemon
