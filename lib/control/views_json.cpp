#include "control/views_json.h"

#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::control {
namespace {

namespace json = boost::json;

json::value orNull(const std::optional<std::int64_t>& value) {
    return value ? json::value(*value) : json::value(nullptr);
}

const json::value* field(const json::value& value, std::string_view key) {
    const auto* object = value.if_object();
    return object ? object->if_contains(key) : nullptr;
}

std::string text(const json::value& value, std::string_view key) {
    const auto* found = field(value, key);
    if (found && found->is_string()) {
        return std::string(found->get_string());
    }
    return {};
}

std::optional<std::int64_t> number(const json::value& value, std::string_view key) {
    const auto* found = field(value, key);
    if (found && found->is_int64()) {
        return found->get_int64();
    }
    if (found && found->is_uint64()) {
        return static_cast<std::int64_t>(found->get_uint64());
    }
    return std::nullopt;
}

std::int64_t numberOr(const json::value& value, std::string_view key, std::int64_t otherwise) {
    return number(value, key).value_or(otherwise);
}

const json::array* list(const json::value& value, std::string_view key) {
    const auto* found = field(value, key);
    return found ? found->if_array() : nullptr;
}

}  // namespace

json::object toJson(const NodeView& node) {
    json::object out;
    out["name"] = node.name;
    out["network"] = node.network;
    out["role"] = node.role;
    out["host"] = node.host;
    out["vmid"] = node.vmid;
    out["condition"] = node.condition;
    out["reason"] = node.reason;
    out["message"] = node.message;
    out["since"] = node.since;
    out["attempts"] = node.attempts;
    out["nextRetry"] = orNull(node.nextRetry);
    out["container"] = node.container;
    out["service"] = node.service;
    out["version"] = node.version;
    out["height"] = orNull(node.height);
    out["peers"] = node.peers ? json::value(*node.peers) : json::value(nullptr);
    out["paused"] = node.paused;
    return out;
}

json::object toJson(const PlanView& plan) {
    json::object out;
    out["pass"] = plan.pass;
    out["at"] = orNull(plan.at);
    json::array actions;
    for (const auto& action : plan.actions) {
        actions.push_back(json::object{{"node", action.node},
                                       {"kind", action.kind},
                                       {"disruption", action.disruption},
                                       {"reason", action.reason},
                                       {"host", action.host}});
    }
    out["actions"] = std::move(actions);
    json::array waiting;
    for (const auto& w : plan.waiting) {
        waiting.push_back(json::object{{"node", w.node}, {"reason", w.reason}});
    }
    out["waiting"] = std::move(waiting);
    json::array notices;
    for (const auto& n : plan.notices) {
        notices.push_back(json::object{{"node", n.node}, {"message", n.message}});
    }
    out["notices"] = std::move(notices);
    return out;
}

json::object toJson(const EventView& event) {
    return json::object{{"sequence", event.sequence},
                        {"time", event.time},
                        {"node", event.node},
                        {"type", event.type},
                        {"message", event.message}};
}

json::array toJson(const std::vector<EventView>& events) {
    json::array out;
    out.reserve(events.size());
    for (const auto& event : events) {
        out.push_back(toJson(event));
    }
    return out;
}

json::object toJson(const NetworkView& network) {
    json::object out;
    out["name"] = network.name;
    out["condition"] = network.condition;
    out["reason"] = network.reason;
    out["message"] = network.message;
    out["since"] = network.since;
    out["validators"] = network.validators;
    out["validatorsOnline"] = network.validatorsOnline;
    out["quorum"] = network.quorum;
    out["height"] = orNull(network.height);
    out["halted"] = network.halted;
    return out;
}

NetworkView networkFromJson(const json::value& value) {
    NetworkView network;
    network.name = text(value, "name");
    network.condition = text(value, "condition");
    network.reason = text(value, "reason");
    network.message = text(value, "message");
    network.since = numberOr(value, "since", 0);
    network.validators = static_cast<int>(numberOr(value, "validators", 0));
    network.validatorsOnline = static_cast<int>(numberOr(value, "validatorsOnline", 0));
    network.quorum = static_cast<int>(numberOr(value, "quorum", 0));
    network.height = number(value, "height");
    network.halted = text(value, "halted");
    return network;
}

NodeView nodeFromJson(const json::value& value) {
    NodeView node;
    node.name = text(value, "name");
    node.network = text(value, "network");
    node.role = text(value, "role");
    node.host = text(value, "host");
    node.vmid = static_cast<int>(numberOr(value, "vmid", 0));
    node.condition = text(value, "condition");
    node.reason = text(value, "reason");
    node.message = text(value, "message");
    node.since = numberOr(value, "since", 0);
    node.attempts = static_cast<int>(numberOr(value, "attempts", 0));
    node.nextRetry = number(value, "nextRetry");
    node.container = text(value, "container");
    node.service = text(value, "service");
    node.version = text(value, "version");
    node.height = number(value, "height");
    if (auto peers = number(value, "peers")) {
        node.peers = static_cast<int>(*peers);
    }
    const auto* paused = field(value, "paused");
    node.paused = paused && paused->is_bool() && paused->get_bool();
    return node;
}

PlanView planFromJson(const json::value& value) {
    PlanView plan;
    plan.pass = static_cast<std::uint64_t>(numberOr(value, "pass", 0));
    plan.at = number(value, "at");
    if (const auto* actions = list(value, "actions")) {
        for (const auto& a : *actions) {
            plan.actions.push_back({text(a, "node"), text(a, "kind"), text(a, "reason"),
                                    text(a, "disruption"), text(a, "host")});
        }
    }
    if (const auto* waiting = list(value, "waiting")) {
        for (const auto& w : *waiting) {
            plan.waiting.push_back({text(w, "node"), text(w, "reason")});
        }
    }
    if (const auto* notices = list(value, "notices")) {
        for (const auto& n : *notices) {
            plan.notices.push_back({text(n, "node"), text(n, "message")});
        }
    }
    return plan;
}

EventView eventFromJson(const json::value& value) {
    EventView event;
    event.sequence = static_cast<std::uint64_t>(numberOr(value, "sequence", 0));
    event.time = numberOr(value, "time", 0);
    event.node = text(value, "node");
    event.type = text(value, "type");
    event.message = text(value, "message");
    return event;
}

}  // namespace chainvisor::control
