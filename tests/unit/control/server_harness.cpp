#include "server_harness.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdlib>

namespace chainvisor::control::test {

TempDir::TempDir() {
    char pattern[] = "/tmp/cvctl.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
    ::chmod(pattern, 0755);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

ControlServerOptions testOptions(const std::filesystem::path& dir) {
    // The server's start-up lines (no chainvisor group here) would bury the test output.
    spdlog::set_level(spdlog::level::err);
    ControlServerOptions options;
    options.socketPath = dir / "control.sock";
    options.readTimeout = 10s;
    options.writeTimeout = 10s;
    options.maxWait = 20s;
    options.version = "test";
    return options;
}

ServerHarness::ServerHarness(ControlServerOptions options, FakeControlApi api, Setup setup)
    : options_(std::move(options)),
      api_(std::move(api)),
      io_(std::make_unique<boost::asio::io_context>()) {
    std::string error;
    audit_ = AuditLog::open(options_.socketPath.parent_path() / "audit.log", error);
    if (!audit_) {
        startError_ = error;
        return;
    }
    std::optional<boost::asio::any_io_executor> blocking;
    if (setup.blockingPool) {
        pool_ = std::make_unique<boost::asio::thread_pool>(2);
        blocking = pool_->get_executor();
    }
    server_ = std::make_unique<ControlServer>(*io_, api_, *audit_, options_, blocking);
    startError_ = server_->start();
    if (!startError_.empty()) {
        return;
    }
    std::promise<void> ended;
    ended_ = ended.get_future();
    thread_ = std::thread([this, ended = std::move(ended)]() mutable {
        io_->run();
        ended.set_value();
    });
}

bool ServerHarness::waitFor(const std::function<bool(ControlServer&, FakeControlApi&)>& done,
                            std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (true) {
        if (onIo([&] { return done(*server_, api_); })) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(2ms);  // polling interval, not a wait for an effect
    }
}

bool ServerHarness::stop(std::chrono::milliseconds limit) {
    if (!thread_.joinable()) {
        return true;
    }
    if (ended_.wait_for(0s) != std::future_status::ready) {
        onIo([this] { server_->stop(); });
    }
    const bool ended = ended_.wait_for(limit) == std::future_status::ready;
    if (!ended) {
        io_->stop();
    }
    thread_.join();
    if (!ended) {
        // Coroutines still hold the server: leaking beats destroying it under them.
        (void)server_.release();
        (void)io_.release();
    }
    return ended;
}

ServerHarness::~ServerHarness() {
    stop();
    server_.reset();
    pool_.reset();  // joins: the audit log outlives the pool's tasks
}

}  // namespace chainvisor::control::test
