#include "net/ssh_client.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/shell_quote.h"
#include "net/ssh_exec.h"
#include "net/ssh_session.h"
#include "net/ssh_session_pool.h"

namespace chainvisor::net {

using detail::Clock;
using detail::SshFailure;
using detail::SshSession;

namespace {

SshOptions checked(SshOptions options) {
    auto invalid = [](const std::string& what) { throw std::invalid_argument("ssh: " + what); };
    if (options.host.empty()) {
        invalid("no host");
    }
    if (options.port < 1 || options.port > 65535) {
        invalid("port " + std::to_string(options.port) + " is out of range (1-65535)");
    }
    if (options.user.empty()) {
        invalid("no user");
    }
    if (options.keyFile.empty() && !options.useAgent) {
        invalid("neither a key file nor the agent to authenticate with");
    }
    if (options.knownHostsFile.empty()) {
        invalid("no known_hosts file: host keys must be checked");
    }
    if (options.maxSessions < 1) {
        invalid("maxSessions must be at least 1");
    }
    if (options.connectTimeout.count() <= 0) {
        invalid("connectTimeout must be positive");
    }
    return options;
}

}  // namespace

struct SshClient::Impl {
    explicit Impl(SshOptions optionsIn)
        : options(checked(std::move(optionsIn))),
          target(options.user + "@" + options.host + ":" + std::to_string(options.port)),
          prefix("ssh " + target + ": "),
          pool(static_cast<std::size_t>(options.maxSessions)) {
        if (options.keepalive.count() > 0) {
            keeper = std::thread([this] { keepIdleAlive(); });
        }
    }

    ~Impl() {
        {
            const std::lock_guard lock(stopMutex);
            stopping = true;
        }
        stopWake.notify_all();
        if (keeper.joinable()) {
            keeper.join();
        }
    }

    RemoteOutcome run(const RemoteCommand& command);
    RemoteOutcome failed(const std::string& program, const SshFailure& failure,
                         std::chrono::milliseconds deadline) const;
    void keepIdleAlive();

    const SshOptions options;
    const std::string target;
    const std::string prefix;
    detail::SessionPool pool;
    std::atomic<std::size_t> opened{0};

    std::mutex stopMutex;
    std::condition_variable stopWake;
    bool stopping = false;
    std::thread keeper;  // last: started once everything it uses exists
};

RemoteOutcome SshClient::Impl::failed(const std::string& program, const SshFailure& failure,
                                      std::chrono::milliseconds deadline) const {
    RemoteOutcome out;
    out.permanent = failure.permanent;
    if (failure.timedOut) {
        out.timedOut = true;
        out.error = prefix + program + ": timed out after " + std::to_string(deadline.count()) +
                    " ms " + failure.stage;
    } else {
        out.error = prefix + failure.what;
    }
    return out;
}

RemoteOutcome SshClient::Impl::run(const RemoteCommand& command) {
    const auto start = Clock::now();
    const auto deadline = start + command.deadline;
    std::string line;
    try {
        line = shellCommand(command.argv);
    } catch (const std::invalid_argument& e) {
        RemoteOutcome out;
        out.error = prefix + e.what();
        out.permanent = true;
        return out;
    }
    // Only the program is named in messages: the other arguments may carry secrets.
    const std::string& program = command.argv.front();

    for (int attempt = 0;; ++attempt) {
        auto lease = pool.acquire(deadline);
        if (!lease.granted) {
            SshFailure waited;
            waited.timedOut = true;
            waited.stage = "waiting for a free connection (all " +
                           std::to_string(options.maxSessions) + " in use)";
            return failed(program, waited, command.deadline);
        }
        const bool reused = lease.session != nullptr;
        if (!reused) {
            SshFailure failure;
            const auto connectDeadline = std::min(deadline, Clock::now() + options.connectTimeout);
            lease.session = SshSession::open(options, connectDeadline, deadline, failure);
            if (lease.session == nullptr) {
                pool.release(nullptr);
                return failed(program, failure, command.deadline);
            }
            ++opened;
        }
        auto result = detail::execute(*lease.session, line, command, deadline);
        pool.release(std::move(lease.session));
        if (!result.failure.failed()) {
            return std::move(result.outcome);
        }
        // The server closed an idle connection before it could carry the command: nothing
        // was run, so a fresh connection is tried, once.
        if (reused && attempt == 0 && !result.commandSent && !result.failure.timedOut) {
            spdlog::debug("{}a kept connection failed before {} was sent ({}); reconnecting",
                          prefix, program, result.failure.what);
            continue;
        }
        auto out = failed(program, result.failure, command.deadline);
        if (!result.failure.timedOut) {
            out.error = prefix + program + ": " + result.failure.what;
        }
        out.out = std::move(result.outcome.out);
        out.err = std::move(result.outcome.err);
        out.truncated = result.outcome.truncated;
        return out;
    }
}

void SshClient::Impl::keepIdleAlive() {
    // Twice per interval: libssh2 sends only when one is due, counting whole seconds.
    const auto tick = std::max<Clock::duration>(std::chrono::seconds(1), options.keepalive / 2);
    std::unique_lock lock(stopMutex);
    while (!stopWake.wait_for(lock, tick, [this] { return stopping; })) {
        pool.visitIdle(
            [](SshSession& session) { return !session.peerClosed() && session.keepalive() >= 0; });
    }
}

SshClient::SshClient(SshOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

SshClient::~SshClient() = default;

const std::string& SshClient::target() const {
    return impl_->target;
}

RemoteOutcome SshClient::run(const RemoteCommand& command) {
    try {
        return impl_->run(command);
    } catch (const std::exception& e) {
        // Out of memory or a thread that cannot start: no secret can be in these.
        RemoteOutcome out;
        out.error = impl_->prefix + e.what();
        return out;
    }
}

std::size_t SshClient::connectionsOpened() const {
    return impl_->opened.load();
}

std::size_t SshClient::idleConnections() const {
    return impl_->pool.idleCount();
}

}  // namespace chainvisor::net
