// A ControlApi with canned answers that records what was asked of it. Like the real one it is
// touched only on the server's io thread: tests change it through ServerHarness::onIo.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "control/control_api.h"

namespace chainvisor::control::test {

class FakeControlApi final : public ControlApi {
public:
    std::vector<NodeView> nodeList;
    std::string summaryLine = "2 nodes: 1 ready, 1 progressing; 0 running; last pass 0.4s ago";
    PlanView lastPlan;
    std::vector<EventView> eventLog;
    std::uint64_t completed = 0;  // passes completed
    std::uint64_t requested = 0;  // the last pass reconcile() promised
    std::string reloadProblem;    // what reload() answers
    int reloads = 0;
    bool pausedAll = false;
    std::set<std::string> pausedNodes;
    bool throwOnSummary = false;
    int summaries = 0;  // summary() calls: one per status request

    // Two nodes and a plan, as the tests expect them.
    static FakeControlApi standard(UnixSeconds now);
    void addEvent(std::string node, std::string type, std::string message, UnixSeconds time);

    std::vector<NodeView> nodes() override;
    std::optional<NodeView> node(std::string_view name) override;
    std::string summary() override;
    PlanView plan() override { return lastPlan; }
    std::vector<EventView> events(std::uint64_t after, std::size_t limit) override;
    std::uint64_t lastEventSequence() override;
    bool pause(std::optional<std::string> node) override;
    bool resume(std::optional<std::string> node) override;
    std::uint64_t reconcile() override;
    std::uint64_t passesCompleted() override { return completed; }
    std::string reload() override;

private:
    bool known(const std::string& name) const;
};

}  // namespace chainvisor::control::test
