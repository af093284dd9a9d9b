// Whole reconciles in milliseconds: a FakeWorld, a ManualClock, a FixedRandom, a journal in a
// temporary directory and a Reconciler, driven pass by pass (observe → decide → run → complete).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/backoff.h"
#include "engine/chain.h"
#include "engine/clock.h"
#include "engine/event.h"
#include "engine/journal.h"
#include "engine/observer.h"
#include "engine/random.h"
#include "engine/reconciler.h"
#include "fake_world.h"
#include "spec/cluster.h"

namespace chainvisor::engine::testing {

// A directory removed with everything in it at the end of the test.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A cluster "test" with one network "devnet" (Besu, QBFT, version 24.1.0) and `validators`
// validators val1…valN (vmids 101…) spread over `hosts` in turn; budget min(1, f).
spec::Cluster makeCluster(int validators, const std::vector<std::string>& hosts = {"local"});
// Adds a node of `role` to `cluster` (vmid 201, 202, … in order of addition).
spec::Node& addNode(spec::Cluster& cluster, const std::string& name, spec::Role role,
                    const std::string& host = "local");
spec::Node& node(spec::Cluster& cluster, const std::string& name);

// Backoff for tests: 10 s, doubling, capped at 80 s, ±20 % jitter, 4 attempts.
BackoffPolicy testPolicy();

// Open journal records (intents/*.json) in `stateDir`.
int openIntents(const std::filesystem::path& stateDir);

std::optional<Journal> openJournal(const std::filesystem::path& stateDir);
// Journal cannot be move-assigned: this replaces `journal` in place.
void reopenJournal(std::optional<Journal>& journal, const std::filesystem::path& stateDir);

class Harness {
public:
    explicit Harness(spec::Cluster spec, BackoffPolicy policy = testPolicy());

    // One pass at the clock's current time, then the clock advances by `step`. Returns how many
    // chains decide() started. Normally every chain runs to its end within the pass; with
    // `stepped`, each running chain does one action per pass, so chains overlap across passes.
    std::size_t pass();
    // Passes until one starts no chain while nothing runs and no retry is pending; returns the
    // number of passes, or -1 if `maxPasses` were not enough.
    int converge(int maxPasses = 50);

    const NodeStatus& status(const std::string& node) const;
    int eventCount(const std::string& type, const std::string& node = "") const;
    std::vector<Event> eventsOf(const std::string& type, const std::string& node = "") const;

    TempDir stateDir;
    ManualClock clock;
    FixedRandom random{0.5};  // the jitter factor is exactly 1
    EventLog events;
    FakeWorld world;
    std::map<std::string, std::unique_ptr<FakeHost>> fakeHosts;
    HostMap hosts;
    FakeNodeAgent agent{world};
    std::optional<Journal> journal;
    Reconciler reconciler;
    std::chrono::milliseconds step{std::chrono::seconds(1)};
    bool stepped = false;
    int maxValidatorChainsInFlight = 0;  // at any decide(), in one network

private:
    struct Running {
        Chain chain;
        spec::Cluster specAtStart;
        std::size_t next = 0;
    };
    void runStepped(std::vector<Chain> chains);
    void noteInFlight();

    std::vector<Running> running_;
    int completed_ = 0;  // chains completed in stepped mode during the current pass
};

}  // namespace chainvisor::engine::testing
