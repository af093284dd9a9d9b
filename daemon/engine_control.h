// The control socket's view of the running daemon: ControlApi over the reconciler, its loop, the
// event log and the reload path. Everything runs on the io thread, like the reconciler itself.
#pragma once

#include <functional>
#include <string>

#include "control/control_api.h"
#include "engine/event.h"
#include "engine/reconcile_loop.h"
#include "engine/reconciler.h"

namespace chainvisor::daemon {

class EngineControl final : public control::ControlApi {
public:
    // `reload` re-reads the cluster file and returns "" or why the new file was refused.
    EngineControl(engine::Reconciler& reconciler, engine::ReconcileLoop& loop,
                  const engine::EventLog& events, std::function<std::string()> reload)
        : reconciler_(reconciler), loop_(loop), events_(events), reload_(std::move(reload)) {}

    std::vector<control::NodeView> nodes() override;
    std::optional<control::NodeView> node(std::string_view name) override;
    std::vector<control::NetworkView> networks() override;
    std::string summary() override { return reconciler_.summary(); }
    control::PlanView plan() override;
    std::vector<control::EventView> events(std::uint64_t after, std::size_t limit) override;
    std::uint64_t lastEventSequence() override { return events_.lastSequence(); }
    bool pause(std::optional<std::string> node) override;
    bool resume(std::optional<std::string> node) override;
    std::uint64_t reconcile() override;
    std::uint64_t passesCompleted() override { return loop_.passes(); }
    std::string reload() override { return reload_(); }

private:
    control::NodeView view(const spec::Node& node, const engine::NodeStatus& status) const;

    engine::Reconciler& reconciler_;
    engine::ReconcileLoop& loop_;
    const engine::EventLog& events_;
    std::function<std::string()> reload_;
};

// Passes every event on to `next`, then tells `notify` (the control server's long-polls).
class NotifyingSink final : public engine::EventSink {
public:
    NotifyingSink(engine::EventSink& next, std::function<void()> notify)
        : next_(next), notify_(std::move(notify)) {}
    void emit(engine::Event event) override {
        next_.emit(std::move(event));
        if (notify_) {
            notify_();
        }
    }
    void setNotify(std::function<void()> notify) { notify_ = std::move(notify); }

private:
    engine::EventSink& next_;
    std::function<void()> notify_;
};

}  // namespace chainvisor::daemon
