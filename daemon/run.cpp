// The daemon's life, top to bottom:
//   1. load and validate the cluster file (nothing starts on a bad one)
//   2. take the state directory (one daemon per state directory), open the journal
//   3. make the host providers, the node agent, the reconciler and its loop
//   4. run: signals, file watch, watchdog, passes; READY=1 after the first observation
//   5. stop: STOPPING=1, let running action chains finish (bounded), close up
#include "run.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "control/audit_log.h"
#include "control/control_server.h"
#include "engine/clock.h"
#include "engine/event.h"
#include "engine/journal.h"
#include "engine/random.h"
#include "engine/reconcile_loop.h"
#include "engine/reconciler.h"
#include "engine_control.h"
#include "file_watch.h"
#include "host_factory.h"
#include "logging.h"
#include "metrics_feed.h"
#include "node_kinds.h"
#include "nodes/besu/key_store.h"
#include "nodes/systemd_agent.h"
#include "observe/metrics.h"
#include "observe/metrics_server.h"
#include "os/atomic_file.h"
#include "os/process.h"
#include "sd_notify.h"
#include "spec/load.h"

namespace chainvisor::daemon {
namespace {

namespace asio = boost::asio;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// Logs every diagnostic; `errors` (when given) gets the errors' text as well.
std::optional<spec::Cluster> loadSpec(const std::filesystem::path& file,
                                      std::vector<std::string>* errors = nullptr) {
    spec::SystemFileProbe files;
    auto result = spec::loadClusterFile(file, files);
    for (const auto& d : result.diagnostics) {
        if (d.severity == spec::Severity::Error) {
            spdlog::error("{}", d.str());
            if (errors != nullptr) {
                errors->push_back(d.str());
            }
        } else {
            spdlog::warn("{}", d.str());
        }
    }
    return std::move(result.cluster);
}

// Holds an exclusive lock on the state directory for the daemon's life: two daemons working on
// one journal would each resume the other's work.
class StateLock {
public:
    std::string acquire(const std::filesystem::path& stateDir) {
        const auto path = stateDir / "chainvisord.lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0) {
            return "cannot open " + path.string() + ": " + std::strerror(errno);
        }
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            return "another chainvisord is running with state directory " + stateDir.string();
        }
        return {};
    }
    ~StateLock() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

private:
    int fd_ = -1;
};

// Node keys are made before anything is planned: a Besu node must find its key the first time it
// starts. "" when every node that needs one has one.
std::string provisionKeys(const spec::Cluster& spec, const std::filesystem::path& stateDir) {
    const auto errors = nodes::besu::provisionNodeKeys(spec, stateDir);
    std::string problem;
    for (const auto& error : errors) {
        problem += (problem.empty() ? "node keys: " : "; ") + error;
    }
    return problem;
}

// Every way the daemon learns the spec changed (SIGHUP, the file watch) comes here. A bad file
// keeps the running spec and says exactly why.
class Reloader {
public:
    Reloader(const Options& options, HostFactory& hosts, engine::ReconcileLoop& loop,
             const Notifier& notifier)
        : options_(options), hosts_(hosts), loop_(loop), notifier_(notifier) {}

    // "" when the new spec is in effect, else why it was refused.
    std::string reload(const char* why) {
        notifier_.reloading();
        spdlog::info("reloading {} ({})", options_.config.string(), why);
        std::vector<std::string> errors;
        auto spec = loadSpec(options_.config, &errors);
        std::string problem;
        if (!spec) {
            // The first few, for chainvisorctl and STATUS=; the log has them all.
            constexpr std::size_t kShown = 3;
            problem = "the new file has " + std::to_string(errors.size()) +
                      (errors.size() == 1 ? " error: " : " errors: ");
            for (std::size_t i = 0; i < errors.size() && i < kShown; ++i) {
                problem += (i == 0 ? "" : "; ") + errors[i];
            }
            if (errors.size() > kShown) {
                problem += "; …";
            }
        } else if (auto error = hosts_.ensure(*spec); !error.empty()) {
            problem = error;
        } else if (auto keys = provisionKeys(*spec, options_.stateDir); !keys.empty()) {
            problem = keys;
        }
        if (!problem.empty()) {
            spdlog::error("reload failed: {}; still running the previous spec", problem);
            notifier_.status("reload failed: " + problem + "; running the previous spec");
        } else {
            auto map = hosts_.map(*spec);
            loop_.setSpec(std::move(*spec), std::move(map));
            spdlog::info("reloaded {}", options_.config.string());
        }
        notifier_.ready();
        return problem;
    }

private:
    const Options& options_;
    HostFactory& hosts_;
    engine::ReconcileLoop& loop_;
    const Notifier& notifier_;
};

asio::awaitable<void> watchdogPings(asio::steady_timer& timer, const Notifier& notifier,
                                    std::chrono::microseconds every) {
    while (true) {
        notifier.watchdog();
        timer.expires_after(every);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;  // cancelled at shutdown
        }
    }
}

}  // namespace

int runDaemon(const Options& options) {
    setUpLogging(options.logFormat, options.logLevel);
    spdlog::info("chainvisord " CHAINVISOR_VERSION " starting with {}", options.config.string());

    // 1. The spec.
    auto spec = loadSpec(options.config);
    if (!spec) {
        spdlog::error("{}: not valid; nothing was started", options.config.string());
        return kExitFailure;
    }

    // 2. The state directory and the journal.
    if (auto error = os::ensureDirectory(options.stateDir, 0700); !error.empty()) {
        spdlog::error("state directory: {}", error);
        return kExitFailure;
    }
    StateLock lock;
    if (auto error = lock.acquire(options.stateDir); !error.empty()) {
        spdlog::error("{}", error);
        return kExitFailure;
    }
    std::string journalError;
    auto journal = engine::Journal::open(options.stateDir, journalError);
    if (!journal) {
        spdlog::error("journal: {}", journalError);
        return kExitFailure;
    }

    // 3. Providers, agent, reconciler, loop.
    os::SystemProcessRunner runner;
    observe::Metrics metrics(CHAINVISOR_VERSION, CHAINVISOR_REVISION);
    HostFactory hosts({options.stateDir / "lxc", options.cacheDir / "lxc", options.stateDir},
                      runner, &metrics);
    if (auto error = hosts.ensure(*spec); !error.empty()) {
        spdlog::error("{}", error);
        return kExitFailure;
    }
    if (auto error = provisionKeys(*spec, options.stateDir); !error.empty()) {
        spdlog::error("{}", error);
        return kExitFailure;
    }
    NodeKinds kinds(options.stateDir);
    nodes::NetProbeHttp probeHttp;
    nodes::SystemdAgent agent(kinds, probeHttp);
    engine::SystemClock clock;
    engine::SystemRandom random;
    engine::EventLog events;
    engine::LoggingSink eventLogger(events);
    NotifyingSink eventSink(eventLogger, {});  // wakes the control socket's followers
    engine::Reconciler reconciler(*spec, clock, random, eventSink);
    if (!journal->interrupted().empty()) {
        spdlog::warn("{} action(s) were interrupted by the last shutdown; re-planning them",
                     journal->interrupted().size());
        reconciler.noteInterrupted(journal->interrupted());
        journal->forgetInterrupted();
    }

    const Notifier notifier = Notifier::fromEnvironment();
    asio::io_context io;
    asio::thread_pool pool(static_cast<std::size_t>(
        std::max(4, spec->policy.budgets.globalConcurrent + static_cast<int>(spec->hosts.size()))));
    engine::LoopOptions loopOptions;
    // Probes ride on the passes' observations, so passes come at least every probe interval.
    loopOptions.resync = std::min(spec->policy.resyncInterval, spec->policy.probeInterval);
    engine::ReconcileLoop loop(io, pool, reconciler, hosts.map(*spec), agent, *journal, clock,
                               random, loopOptions);
    Reloader reloader(options, hosts, loop, notifier);
    loop.onFirstObservation = [&] {
        spdlog::info("first observation done; ready");
        notifier.ready();
    };
    MetricsFeed feed(metrics, reconciler, loop, [&](const std::string& name) {
        const hosts::Host* host = hosts.find(name);
        return host != nullptr && host->circuitOpen();
    });
    loop.onPassReport = [&](const engine::PassReport& report) { feed.passDone(report); };
    std::optional<observe::MetricsServer> metricsServer;
    if (options.metrics) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(options.metrics->host, ec);
        metricsServer.emplace(
            io,
            asio::ip::tcp::endpoint(address, static_cast<unsigned short>(options.metrics->port)),
            observe::MetricsServerOptions{}, [&metrics] { return metrics.scrape(); });
        if (auto error = metricsServer->start()) {
            spdlog::error("{} (--metrics-address)", *error);
            return kExitFailure;
        }
        spdlog::info("serving metrics on http://{}:{}/metrics", options.metrics->host,
                     metricsServer->port());
    }

    // The audit log: every action and every control request that changes something.
    std::string auditError;
    auto audit = control::AuditLog::open(options.stateDir / control::kAuditFileName, auditError);
    if (!audit) {
        spdlog::error("audit log: {}", auditError);
        return kExitFailure;
    }
    loop.onChainDone = [&](const engine::Chain& chain, const engine::ChainOutcome& outcome) {
        feed.chainDone(chain, outcome);
        // fsync per record: on the blocking pool, never on the io thread.
        asio::post(pool, [&audit = *audit, chain, outcome] {
            for (std::size_t i = 0; i < chain.actions.size() && i <= outcome.completed; ++i) {
                const bool failed = i == outcome.completed;
                if (failed && !outcome.error) {
                    break;
                }
                control::AuditRecord record;
                record.who = "chainvisord";
                record.action = std::string(plan::toString(chain.actions[i].kind));
                record.node = chain.node.name;
                record.outcome = failed ? control::AuditOutcome::Error : control::AuditOutcome::Ok;
                record.message = failed ? outcome.error->message : chain.actions[i].reason;
                if (auto error = audit.record(std::move(record)); !error.empty()) {
                    spdlog::warn("audit log: {}", error);
                }
            }
        });
    };

    // The control socket (chainvisorctl).
    EngineControl controlApi(reconciler, loop, events,
                             [&] { return reloader.reload("control socket"); });
    std::optional<control::ControlServer> controlServer;
    if (!options.controlSocket.empty()) {
        if (auto error = os::ensureDirectory(options.controlSocket.parent_path(), 0755);
            !error.empty()) {
            spdlog::error("control socket: {}", error);
            return kExitFailure;
        }
        control::ControlServerOptions controlOptions;
        controlOptions.socketPath = options.controlSocket;
        controlOptions.version = CHAINVISOR_VERSION;
        controlServer.emplace(io, controlApi, *audit, controlOptions, pool.get_executor());
        if (auto error = controlServer->start(); !error.empty()) {
            spdlog::error("control socket: {} (--control-socket)", error);
            return kExitFailure;
        }
        eventSink.setNotify([&] { controlServer->notifyEvents(); });
        spdlog::info("answering chainvisorctl on {}", options.controlSocket.string());
    }
    loop.onPass = [&](const std::string&) {
        // systemctl status shows STATUS= long after it was sent: say when, not how long ago.
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        char at[16] = "";
        if (::localtime_r(&now, &local) != nullptr) {
            std::strftime(at, sizeof at, "%H:%M:%S", &local);
        }
        notifier.status(reconciler.summary(false) + "; last pass at " + at);
        if (controlServer) {
            controlServer->notifyPassCompleted(loop.passes());
        }
    };

    // 4. Run.
    int stopSignals = 0;
    asio::signal_set stopSignalSet(io, SIGTERM, SIGINT);
    asio::signal_set hangup(io, SIGHUP);
    std::string watchError;
    FileWatch watch(io, options.config, watchError);
    if (!watchError.empty()) {
        spdlog::warn("not watching {} ({}); reload with SIGHUP", options.config.string(),
                     watchError);
    }
    asio::steady_timer watchdogTimer(io);

    std::function<void()> onStop;
    std::function<void()> onHangup;
    onStop = [&] {
        stopSignalSet.async_wait([&](boost::system::error_code ec, int signal) {
            if (ec) {
                return;
            }
            if (++stopSignals == 1) {
                spdlog::info("{}: stopping; running actions may finish (again to stop now)",
                             ::strsignal(signal));
                notifier.stopping();
                loop.stop();
                onStop();
            } else {
                // Running actions are abandoned mid-way; their journal intents stay open, and
                // the next start re-plans those nodes from a fresh observation.
                spdlog::warn("{} again: stopping now; interrupted actions resume at the next start",
                             ::strsignal(signal));
                spdlog::default_logger()->flush();
                std::_Exit(kExitFailure);
            }
        });
    };
    onHangup = [&] {
        hangup.async_wait([&](boost::system::error_code ec, int) {
            if (!ec) {
                reloader.reload("SIGHUP");
                onHangup();
            }
        });
    };
    onStop();
    onHangup();
    asio::co_spawn(io, watch.run([&] { reloader.reload("file changed"); }), asio::detached);
    if (auto every = notifier.watchdogInterval()) {
        asio::co_spawn(io, watchdogPings(watchdogTimer, notifier, *every), asio::detached);
    }
    asio::co_spawn(io, loop.run(), [&](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                spdlog::critical("reconcile loop failed: {}", e.what());
            }
        }
        // 5. Stop: the loop has waited for running chains; close everything else.
        if (metricsServer) {
            metricsServer->stop();
        }
        if (controlServer) {
            controlServer->stop();
        }
        watch.close();
        watchdogTimer.cancel();
        stopSignalSet.cancel();
        hangup.cancel();
    });
    io.run();
    pool.stop();
    pool.join();
    spdlog::info("stopped");
    return kExitOk;
}

}  // namespace chainvisor::daemon
