// The journal: before a disruptive action (create, stop, restart, upgrade, rollback, destroy)
// starts, its intent is written durably to the state directory; when it ends, the record is
// removed. A daemon killed halfway finds the open intents on restart and reports them, and the
// first pass re-plans those nodes from a fresh observation (every action is idempotent), so the
// work is resumed, never done twice.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "plan/action.h"
#include "plan/observed.h"

namespace chainvisor::engine {

struct Intent {
    std::string id;  // unique within the journal; also the record's file name
    std::string node;
    std::string host;
    int vmid = 0;
    std::string action;      // plan::toString(ActionKind)
    std::string disruption;  // plan::toString(Disruption)
    std::string reason;
    plan::TimePoint started;
};

class Journal {
public:
    // Opens (creating with mode 0700 if needed) `dir`/intents and reads the records left open by
    // a previous run. nullopt with `error` set when the directory cannot be used.
    static std::optional<Journal> open(const std::filesystem::path& stateDir, std::string& error);

    // Intents a previous run began and never ended.
    const std::vector<Intent>& interrupted() const { return interrupted_; }

    // Durably records that `action` starts now. Returns the intent id, or nullopt with `error`:
    // the action must then not start.
    std::optional<std::string> begin(const plan::Action& action, plan::TimePoint now,
                                     std::string& error);
    // Durably closes an intent. An error here is logged by the caller; the record stays and is
    // reported as interrupted at the next start, which is harmless.
    std::string end(const std::string& id);
    // Closes the records of a previous run once they have been taken into account.
    void forgetInterrupted();

    Journal(Journal&& other) noexcept;
    Journal& operator=(Journal&& other) = delete;

private:
    explicit Journal(std::filesystem::path dir) : dir_(std::move(dir)) {}

    std::filesystem::path dir_;
    std::vector<Intent> interrupted_;
    std::mutex mutex_;  // begin/end come from the blocking pool's threads
    std::uint64_t sequence_ = 0;
};

}  // namespace chainvisor::engine
