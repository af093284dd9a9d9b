// The reconcile loop itself: when passes run, not what they decide (reconciler_test.cpp). A real
// io_context runs on the test thread and a real thread pool does the host calls against the fake
// world; the test waits by running the io_context until a condition holds, with a limit.
//
// "The loop is idle" is read from the loop's Random: it draws the resync jitter only when it goes
// to wait for the next resync, that is when no pass is owed. So "idle after N passes" is exact,
// with no waiting to see that nothing more happens.
#include "engine/reconcile_loop.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "eventually.h"
#include "harness.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

namespace asio = boost::asio;

namespace {

// Hands out scripted values in turn (the last one again when they run out) and counts the draws.
class CountingRandom final : public Random {
public:
    explicit CountingRandom(std::vector<double> values = {0.5}) : values_(std::move(values)) {}
    double unit() override {
        const double value = values_[std::min(draws_, values_.size() - 1)];
        ++draws_;
        return value;
    }
    std::size_t draws() const { return draws_; }

private:
    std::vector<double> values_;
    std::size_t draws_ = 0;
};

// A host that passes every call to another and can hold one kind of call ("observe" or "start") at
// a gate until the test opens it. Counts the held kind's calls, and how many were inside at once.
class GatedHost final : public hosts::Host {
public:
    GatedHost(hosts::Host& inner, std::string gatedOp)
        : inner_(inner), gatedOp_(std::move(gatedOp)) {}

    void close() {
        std::lock_guard lock(mutex_);
        open_ = false;
    }
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        changed_.notify_all();
    }
    int entered() const {
        std::lock_guard lock(mutex_);
        return entered_;
    }
    int maxInside() const {
        std::lock_guard lock(mutex_);
        return maxInside_;
    }

    const std::string& name() const override { return inner_.name(); }
    bool entersContainers() const override { return inner_.entersContainers(); }
    hosts::Result<plan::ObservedHost> observe() override {
        return through("observe", [&] { return inner_.observe(); });
    }
    hosts::Result<void> create(const hosts::ContainerSpec& spec) override {
        return through("create", [&] { return inner_.create(spec); });
    }
    hosts::Result<void> update(const hosts::ContainerSpec& spec,
                               const std::vector<plan::FieldChange>& changes) override {
        return through("update", [&] { return inner_.update(spec, changes); });
    }
    hosts::Result<void> resizeDisk(int vmid, int diskGiB) override {
        return through("resizeDisk", [&] { return inner_.resizeDisk(vmid, diskGiB); });
    }
    hosts::Result<void> start(int vmid) override {
        return through("start", [&] { return inner_.start(vmid); });
    }
    hosts::Result<void> stop(int vmid, std::chrono::seconds grace) override {
        return through("stop", [&] { return inner_.stop(vmid, grace); });
    }
    hosts::Result<void> snapshot(int vmid, const std::string& name) override {
        return through("snapshot", [&] { return inner_.snapshot(vmid, name); });
    }
    hosts::Result<void> rollback(int vmid, const std::string& name) override {
        return through("rollback", [&] { return inner_.rollback(vmid, name); });
    }
    hosts::Result<void> destroy(int vmid) override {
        return through("destroy", [&] { return inner_.destroy(vmid); });
    }
    hosts::Result<hosts::ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                                          std::chrono::milliseconds deadline) override {
        return through("exec", [&] { return inner_.exec(vmid, argv, deadline); });
    }
    hosts::Result<void> writeFile(int vmid, const hosts::FileWrite& file) override {
        return through("writeFile", [&] { return inner_.writeFile(vmid, file); });
    }

private:
    template <typename Call>
    auto through(const std::string& op, Call call) -> decltype(call()) {
        if (op != gatedOp_) {
            return call();
        }
        {
            std::unique_lock lock(mutex_);
            ++entered_;
            maxInside_ = std::max(maxInside_, ++inside_);
            changed_.wait(lock, [&] { return open_; });
        }
        auto result = call();
        std::lock_guard lock(mutex_);
        --inside_;
        return result;
    }

    hosts::Host& inner_;
    const std::string gatedOp_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = true;
    int entered_ = 0;
    int inside_ = 0;
    int maxInside_ = 0;
};

LoopOptions quietOptions() {
    LoopOptions options;
    options.resync = std::chrono::hours(1);  // no pass but those the test causes
    options.jitter = 0.1;
    options.settle = milliseconds(0);
    options.shutdownGrace = seconds(5);
    return options;
}

// A ReconcileLoop over a Harness's reconciler and fake world, its only host behind a gate, run on
// a real io_context (on the test thread) and a real pool. Stops the loop, opening the gate, at the
// end of the test.
class Rig {
public:
    Rig(Harness& h, LoopOptions options, std::vector<double> jitter = {0.5},
        const std::string& gatedOp = "")
        : random(std::move(jitter)),
          host(*h.hosts.at("local"), gatedOp),
          loop(io, pool, h.reconciler, HostMap{{"local", &host}}, h.agent, *h.journal, h.clock,
               random, options) {
        loop.onPass = [this](const std::string&) { passEnds.push_back(SteadyClock::now()); };
    }
    ~Rig() {
        host.open();
        loop.stop();
        if (started_) {
            runUntil([&] { return finished_; }, seconds(30));
        }
        pool.join();
    }

    void start() {
        started_ = true;
        asio::co_spawn(io, loop.run(), [this](std::exception_ptr e) {
            finished_ = true;
            if (e) {
                std::rethrow_exception(e);
            }
        });
    }

    // Runs the io_context until `done` holds or `limit` passes; says which.
    bool runUntil(const std::function<bool()>& done, milliseconds limit = seconds(10)) {
        return chainvisor::test::eventually(
            [&] {
                if (io.stopped()) {
                    io.restart();
                }
                io.run_one_for(milliseconds(1));  // one handler at a time: no overshoot
                return done();
            },
            limit, milliseconds(0));
    }

    // Until the loop has finished `passes` passes and gone to wait for a resync (nothing owed).
    bool idleAfter(std::uint64_t passes, std::size_t draws) {
        return runUntil([&] { return random.draws() >= draws; }) && loop.passes() == passes;
    }

    // `count` triggers, each from its own handler, one after another.
    void triggerSeparately(int count, const std::string& why) {
        for (int i = 0; i < count; ++i) {
            asio::post(io, [this, why] { loop.trigger(why); });
        }
    }

    asio::io_context io;
    asio::thread_pool pool{2};
    CountingRandom random;
    GatedHost host;
    ReconcileLoop loop;
    std::vector<SteadyClock::time_point> passEnds;  // when each pass ended

private:
    bool started_ = false;
    bool finished_ = false;
};

// Four validators on "local", converged by the synchronous harness, so a pass decides nothing.
Harness& converged(Harness& h) {
    REQUIRE(h.converge() > 0);
    return h;
}

}  // namespace

TEST_CASE("the first pass runs at start and the loop then waits for the resync", "[loop]") {
    Harness h(makeCluster(4));
    converged(h);
    const int observedBefore = h.world.calls("local", "observe");
    Rig rig(h, quietOptions());
    bool firstObservation = false;
    rig.loop.onFirstObservation = [&] { firstObservation = true; };
    rig.start();

    REQUIRE(rig.idleAfter(1, 1));
    CHECK(firstObservation);
    CHECK(h.world.calls("local", "observe") == observedBefore + 1);
    CHECK(rig.loop.chainsRunning() == 0);
    CHECK_FALSE(rig.loop.passRunning());
}

TEST_CASE("a burst of triggers in one handler makes one pass", "[loop]") {
    Harness h(makeCluster(4));
    converged(h);
    Rig rig(h, quietOptions());
    rig.start();
    REQUIRE(rig.idleAfter(1, 1));

    asio::post(rig.io, [&] {
        for (int i = 0; i < 10; ++i) {
            rig.loop.trigger("file changed");
        }
    });
    CHECK(rig.idleAfter(2, 2));
}

TEST_CASE("a burst of triggers spread over the settle time makes one pass after it", "[loop]") {
    Harness h(makeCluster(4));
    converged(h);
    auto options = quietOptions();
    options.settle = milliseconds(200);
    Rig rig(h, options);
    rig.start();
    REQUIRE(rig.idleAfter(1, 1));

    // Separate triggers 0, 10, 20, 30 and 40 ms apart (an editor's writes, chains ending one after
    // another). The timers expire before the settle time does, so however late the io thread runs
    // them, they come first.
    SteadyClock::time_point firstTrigger;
    std::vector<std::uint64_t> triggersAt;  // passes completed when each trigger came
    std::vector<std::unique_ptr<asio::steady_timer>> timers;
    asio::post(rig.io, [&] {
        firstTrigger = SteadyClock::now();
        for (int i = 0; i < 5; ++i) {
            auto timer = std::make_unique<asio::steady_timer>(rig.io, milliseconds(10 * i));
            timer->async_wait([&](boost::system::error_code ec) {
                if (!ec) {
                    rig.loop.trigger("file changed");
                    triggersAt.push_back(rig.loop.passes());
                }
            });
            timers.push_back(std::move(timer));
        }
    });
    CHECK(rig.idleAfter(2, 2));
    CHECK(triggersAt == std::vector<std::uint64_t>(5, 1));  // all of them before the one pass
    REQUIRE(rig.passEnds.size() == 2);
    CHECK(rig.passEnds[1] - firstTrigger >= options.settle);
}

TEST_CASE("passes never overlap: triggers during a pass make exactly one more", "[loop]") {
    Harness h(makeCluster(4));
    converged(h);
    Rig rig(h, quietOptions(), {0.5}, "observe");
    rig.start();
    REQUIRE(rig.idleAfter(1, 1));
    REQUIRE(rig.host.entered() == 1);

    // Hold the next pass in its observation, and trigger while it is held.
    rig.host.close();
    rig.triggerSeparately(1, "control request");
    REQUIRE(rig.runUntil([&] { return rig.host.entered() == 2; }));
    REQUIRE(rig.loop.passRunning());
    int handled = 0;
    for (int i = 0; i < 5; ++i) {
        asio::post(rig.io, [&] {
            rig.loop.trigger("probe changed");
            ++handled;
        });
    }
    REQUIRE(rig.runUntil([&] { return handled == 5; }));
    // Still the one pass, still held: the triggers started no second observation beside it.
    CHECK(rig.loop.passRunning());
    CHECK(rig.loop.passes() == 1);
    CHECK(rig.host.entered() == 2);

    rig.host.open();
    CHECK(rig.idleAfter(3, 2));  // the held pass, then one for all five triggers
    CHECK(rig.host.entered() == 3);
    CHECK(rig.host.maxInside() == 1);
}

TEST_CASE("a chain that completes triggers a pass", "[loop]") {
    Harness h(makeCluster(4));
    converged(h);
    h.world.stopFromOutside("local", 101);
    // The resync is an hour away: only the chain's end can bring the next pass.
    Rig rig(h, quietOptions(), {0.5}, "start");
    std::vector<std::uint64_t> passesAtChainEnd;
    rig.loop.onChainDone = [&](const Chain& chain, const ChainOutcome& outcome) {
        CHECK(chain.node.name == "val1");
        CHECK_FALSE(outcome.error);
        passesAtChainEnd.push_back(rig.loop.passes());
    };
    rig.host.close();
    rig.start();

    // The first pass starts val1's container and is over; the chain is held in start.
    REQUIRE(rig.idleAfter(1, 1));
    REQUIRE(rig.runUntil([&] { return rig.host.entered() == 1; }));
    CHECK(rig.loop.chainsRunning() == 1);
    CHECK(rig.loop.passes() == 1);

    rig.host.open();
    CHECK(rig.idleAfter(2, 2));
    CHECK(passesAtChainEnd == std::vector<std::uint64_t>{1});
    // The loop alone, with no resync, brings val1 back.
    CHECK(rig.runUntil([&] {
        return rig.loop.chainsRunning() == 0 &&
               h.reconciler.nodes().at("val1").condition.type == ConditionType::Ready;
    }));
    CHECK(h.world.container("local", 101)->power == plan::PowerState::Running);
}

TEST_CASE("the resync waits resync × [1 − jitter, 1 + jitter], a fresh draw each time", "[loop]") {
    SECTION("the delay for a draw") {
        LoopOptions options;
        options.resync = seconds(30);
        options.jitter = 0.1;
        CHECK(resyncDelay(options, 0.0) == milliseconds(27000));
        CHECK(resyncDelay(options, 0.5) == milliseconds(30000));
        CHECK(resyncDelay(options, std::nextafter(1.0, 0.0)) <= milliseconds(33000));
        CHECK(resyncDelay(options, std::nextafter(1.0, 0.0)) >= milliseconds(32999));
        std::mt19937_64 engine(42);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        for (int i = 0; i < 10000; ++i) {
            const auto delay = resyncDelay(options, unit(engine));
            REQUIRE(delay >= milliseconds(27000));
            REQUIRE(delay <= milliseconds(33000));
        }
        options.jitter = 0.0;
        CHECK(resyncDelay(options, 0.9) == seconds(30));
    }

    SECTION("the loop waits at least the drawn delay, drawing anew for every resync") {
        Harness h(makeCluster(4));
        converged(h);
        auto options = quietOptions();
        options.resync = milliseconds(60);
        options.jitter = 0.5;  // 30 ms … 90 ms
        const std::vector<double> draws{0.0, 0.99, 0.5};
        Rig rig(h, options, draws);
        rig.start();
        REQUIRE(rig.idleAfter(4, 4));  // the first pass, then three resyncs
        REQUIRE(rig.passEnds.size() == 4);
        for (std::size_t i = 0; i < draws.size(); ++i) {
            INFO("resync " << i + 1 << ", draw " << draws[i]);
            CHECK(rig.passEnds[i + 1] - rig.passEnds[i] >= resyncDelay(options, draws[i]));
        }
        CHECK(resyncDelay(options, 0.99) > options.resync);
    }
}
