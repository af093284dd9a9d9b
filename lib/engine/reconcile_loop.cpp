#include "engine/reconcile_loop.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "engine/chain.h"
#include "engine/observer.h"

namespace chainvisor::engine {

namespace asio = boost::asio;

namespace {

// Waits on `timer` until it expires or is cancelled; either way is a normal wake-up.
asio::awaitable<void> waitOn(asio::steady_timer& timer) {
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

ReconcileLoop::ReconcileLoop(asio::io_context& io, asio::thread_pool& pool, Reconciler& reconciler,
                             HostMap hosts, NodeAgent& agent, Journal& journal, const Clock& clock,
                             Random& random, LoopOptions options)
    : io_(io),
      pool_(pool),
      reconciler_(reconciler),
      hosts_(std::move(hosts)),
      agent_(agent),
      journal_(journal),
      clock_(clock),
      random_(random),
      options_(options),
      spec_(std::make_shared<const spec::Cluster>(reconciler.spec())),
      wake_(io) {}

void ReconcileLoop::trigger(std::string why) {
    if (!pending_) {
        pendingWhy_ = std::move(why);
    }
    pending_ = true;
    wake_.cancel();
}

void ReconcileLoop::stop() {
    stopping_ = true;
    wake_.cancel();
}

void ReconcileLoop::setSpec(spec::Cluster spec, HostMap hosts) {
    hosts_ = std::move(hosts);
    spec_ = std::make_shared<const spec::Cluster>(spec);
    reconciler_.setSpec(std::move(spec));
    trigger("spec reloaded");
}

std::chrono::milliseconds resyncDelay(const LoopOptions& options, double unit) {
    const double factor = 1.0 - options.jitter + 2.0 * options.jitter * unit;
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(options.resync.count()) * factor));
}

std::chrono::milliseconds ReconcileLoop::nextResync() {
    return resyncDelay(options_, random_.unit());
}

asio::awaitable<void> ReconcileLoop::run() {
    while (!stopping_) {
        if (!pending_) {
            wake_.expires_after(nextResync());
            co_await waitOn(wake_);
            if (stopping_) {
                break;
            }
            if (!pending_) {
                pendingWhy_ = "resync";
            }
        }
        // Let a burst of triggers (an editor's several writes, many chains ending) settle into
        // one pass. A trigger cancels the wait; only stop() ends it early.
        const auto settled = std::chrono::steady_clock::now() + options_.settle;
        while (!stopping_ && std::chrono::steady_clock::now() < settled) {
            wake_.expires_at(settled);
            co_await waitOn(wake_);
        }
        if (stopping_) {
            break;
        }
        pending_ = false;
        spdlog::debug("pass {} ({})", passes_ + 1, pendingWhy_);
        passRunning_ = true;
        co_await pass();
        passRunning_ = false;
    }

    // Shutdown: start nothing new; give running chains the grace period to finish. Those still
    // running after it are abandoned: their journal intents stay open and the next start
    // reports them and re-plans those nodes from a fresh observation.
    const auto deadline = std::chrono::steady_clock::now() + options_.shutdownGrace;
    while (running_ > 0 && std::chrono::steady_clock::now() < deadline) {
        spdlog::info("waiting for {} running action chain(s) to finish", running_);
        wake_.expires_at(deadline);
        co_await waitOn(wake_);
    }
    if (running_ > 0) {
        spdlog::warn("abandoning {} running action chain(s); they resume at the next start",
                     running_);
    }
}

asio::awaitable<plan::Observed> ReconcileLoop::observe(std::shared_ptr<const spec::Cluster> spec) {
    // One blocking observation per host, all at once on the pool; the last to finish wakes us.
    struct Gather {
        explicit Gather(asio::io_context& io) : done(io, asio::steady_timer::time_point::max()) {}
        asio::steady_timer done;
        std::vector<HostObservation> results;
        std::size_t left = 0;
    };
    auto gather = std::make_shared<Gather>(io_);
    gather->results.resize(spec->hosts.size());
    gather->left = spec->hosts.size();
    for (std::size_t i = 0; i < spec->hosts.size(); ++i) {
        const auto& specHost = spec->hosts[i];
        auto it = hosts_.find(specHost.name);
        hosts::Host* host = it == hosts_.end() ? nullptr : it->second;
        asio::post(pool_, [this, gather, spec, i, host, &specHost] {
            auto result = host == nullptr ? unobservable(specHost.name, "no provider for host")
                                          : observeHost(*spec, specHost, *host, agent_);
            asio::post(io_, [gather, i, result = std::move(result)]() mutable {
                gather->results[i] = std::move(result);
                if (--gather->left == 0) {
                    gather->done.cancel();
                }
            });
        });
    }
    while (gather->left > 0) {
        co_await waitOn(gather->done);
    }
    plan::Observed observed;
    for (auto& r : gather->results) {
        addTo(observed, std::move(r));
    }
    co_return observed;
}

asio::awaitable<void> ReconcileLoop::pass() {
    const auto spec = spec_;
    const auto started = std::chrono::steady_clock::now();
    // Chains that finish while we observe may have changed what we are looking at; the epoch
    // lets decide() leave those nodes to the next pass instead of acting on a stale picture.
    const auto epoch = reconciler_.observationStarting();
    auto observed = co_await observe(spec);
    if (stopping_) {
        co_return;
    }
    PassReport report;
    for (const auto& [name, host] : observed.hosts) {
        report.hostsReachable.emplace_back(name, host.reachable);
    }
    auto chains = reconciler_.decide(std::move(observed), epoch);
    report.chainsStarted = chains.size();
    ++passes_;
    for (auto& chain : chains) {
        startChain(std::move(chain), spec);
    }
    if (!observedOnce_) {
        observedOnce_ = true;
        if (onFirstObservation) {
            onFirstObservation();
        }
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    spdlog::debug("pass {} took {} ms, started {} chain(s)", passes_, took.count(), chains.size());
    if (onPass) {
        onPass(reconciler_.summary());
    }
    if (onPassReport) {
        report.took = std::chrono::steady_clock::now() - started;
        onPassReport(report);
    }
}

void ReconcileLoop::startChain(Chain chain, std::shared_ptr<const spec::Cluster> spec) {
    auto it = hosts_.find(chain.node.host);
    if (it == hosts_.end()) {
        ChainOutcome outcome;
        outcome.node = chain.node.name;
        outcome.error = hosts::Error::permanent("no provider for host " + chain.node.host);
        reconciler_.complete(outcome);
        return;
    }
    hosts::Host* host = it->second;
    ++running_;
    asio::post(pool_, [this, host, spec = std::move(spec), chain = std::move(chain)] {
        auto outcome = runChain(chain, *spec, *host, agent_, journal_, clock_);
        asio::post(io_, [this, chain, outcome = std::move(outcome)] {
            --running_;
            reconciler_.complete(outcome);
            if (onChainDone) {
                onChainDone(chain, outcome);
            }
            if (stopping_) {
                wake_.cancel();  // the shutdown wait counts running chains
            } else {
                trigger("action finished");
            }
        });
    });
}

}  // namespace chainvisor::engine
