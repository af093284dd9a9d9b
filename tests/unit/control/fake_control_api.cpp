#include "fake_control_api.h"

#include <stdexcept>

namespace chainvisor::control::test {

FakeControlApi FakeControlApi::standard(UnixSeconds now) {
    FakeControlApi api;
    NodeView val1;
    val1.name = "val1";
    val1.network = "devnet";
    val1.role = "validator";
    val1.host = "pve1";
    val1.vmid = 101;
    val1.condition = "Ready";
    val1.reason = "Converged";
    val1.message = "matches the spec";
    val1.since = now - (3 * 86400 + 4 * 3600 + 1800);  // "3d04h", whatever second it is
    val1.container = "running";
    val1.service = "active";
    val1.version = "24.1.0";
    val1.height = 1234;
    val1.peers = 3;
    NodeView rpc1;
    rpc1.name = "rpc1";
    rpc1.network = "devnet";
    rpc1.role = "rpc";
    rpc1.host = "local";
    rpc1.vmid = 205;
    rpc1.condition = "Progressing";
    rpc1.reason = "CreatingContainer";
    rpc1.message = "vmid 205 missing on local";
    rpc1.since = now - 2 * 86400;
    rpc1.attempts = 2;
    rpc1.nextRetry = now + 2 * 86400 + 3600 + 59;
    rpc1.container = "missing";
    api.nodeList = {val1, rpc1};
    api.lastPlan.pass = 12;
    api.lastPlan.at = now - 5 * 86400;
    api.lastPlan.actions = {
        {"rpc1", "CreateContainer", "vmid 205 missing on local", "none", "local"},
        {"val1", "RestartService", "config changed: p2p port 30303 → 30304", "restart", "pve1"},
    };
    api.lastPlan.waiting = {{"val2", "validator budget of devnet used: val1 is down (1 of 1)"}};
    api.lastPlan.notices = {{"", "vmid 999 on pve1 is not owned by chainvisor; left alone"}};
    return api;
}

void FakeControlApi::addEvent(std::string node, std::string type, std::string message,
                              UnixSeconds time) {
    EventView event;
    event.sequence = eventLog.size() + 1;
    event.time = time;
    event.node = std::move(node);
    event.type = std::move(type);
    event.message = std::move(message);
    eventLog.push_back(std::move(event));
}

std::vector<NodeView> FakeControlApi::nodes() {
    auto out = nodeList;
    for (auto& n : out) {
        n.paused = pausedAll || pausedNodes.contains(n.name);
    }
    return out;
}

std::optional<NodeView> FakeControlApi::node(std::string_view name) {
    for (const auto& n : nodes()) {
        if (n.name == name) {
            return n;
        }
    }
    return std::nullopt;
}

std::string FakeControlApi::summary() {
    ++summaries;
    if (throwOnSummary) {
        throw std::runtime_error("summary exploded");
    }
    return summaryLine;
}

std::vector<EventView> FakeControlApi::events(std::uint64_t after, std::size_t limit) {
    std::vector<EventView> out;
    for (const auto& e : eventLog) {
        if (e.sequence > after && out.size() < limit) {
            out.push_back(e);
        }
    }
    return out;
}

std::uint64_t FakeControlApi::lastEventSequence() {
    return eventLog.empty() ? 0 : eventLog.back().sequence;
}

bool FakeControlApi::known(const std::string& name) const {
    for (const auto& n : nodeList) {
        if (n.name == name) {
            return true;
        }
    }
    return false;
}

bool FakeControlApi::pause(std::optional<std::string> node) {
    if (!node) {
        pausedAll = true;
        return true;
    }
    if (!known(*node)) {
        return false;
    }
    pausedNodes.insert(*node);
    return true;
}

bool FakeControlApi::resume(std::optional<std::string> node) {
    if (!node) {
        pausedAll = false;
        pausedNodes.clear();
        return true;
    }
    if (!known(*node)) {
        return false;
    }
    pausedNodes.erase(*node);
    return true;
}

std::uint64_t FakeControlApi::reconcile() {
    requested = completed + 1;
    return requested;
}

std::string FakeControlApi::reload() {
    ++reloads;
    return reloadProblem;
}

}  // namespace chainvisor::control::test
