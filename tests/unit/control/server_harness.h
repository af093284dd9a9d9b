// A ControlServer on a real Unix socket in a temporary directory, running on its own io thread
// with a FakeControlApi; tests reach the api and the server through onIo(), as the daemon would
// from its io thread. Waiting is by polling with a deadline, never by sleeping.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include "control/audit_log.h"
#include "control/control_server.h"
#include "fake_control_api.h"

namespace chainvisor::control::test {

using namespace std::chrono_literals;

// A directory under /tmp (short: socket paths are limited to 107 bytes), world-searchable so a
// client running as nobody can reach the socket, removed at the end.
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

// Options for a server in `dir`; tests that exercise a timeout shorten it themselves.
ControlServerOptions testOptions(const std::filesystem::path& dir);

class ServerHarness {
public:
    struct Setup {
        bool blockingPool = false;  // audit records written on a thread pool, as in the daemon
    };

    ServerHarness(ControlServerOptions options, FakeControlApi api, Setup setup);
    ServerHarness(ControlServerOptions options, FakeControlApi api)
        : ServerHarness(std::move(options), std::move(api), Setup{}) {}
    ~ServerHarness();

    // "" when the server started (and the io thread runs).
    const std::string& startError() const { return startError_; }
    const std::filesystem::path& socket() const { return options_.socketPath; }

    // Runs `f` on the io thread and returns its result.
    template <typename F>
    auto onIo(F f) -> std::invoke_result_t<F&> {
        using Result = std::invoke_result_t<F&>;
        auto task = std::make_shared<std::packaged_task<Result()>>(std::move(f));
        auto future = task->get_future();
        boost::asio::post(*io_, [task] { (*task)(); });
        if (future.wait_for(10s) != std::future_status::ready) {
            throw std::runtime_error("the io thread did not run a task within 10 s");
        }
        return future.get();
    }

    // Polls `done` on the io thread until it holds; false after `limit`.
    bool waitFor(const std::function<bool(ControlServer&, FakeControlApi&)>& done,
                 std::chrono::milliseconds limit = 10s);

    // server.stop() on the io thread; true when the io thread then ran out of work (every
    // connection and long-poll ended) within `limit`.
    bool stop(std::chrono::milliseconds limit = 10s);

    FakeControlApi& apiUnsafe() { return api_; }  // after stop() only

private:
    ControlServerOptions options_;
    FakeControlApi api_;
    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<boost::asio::thread_pool> pool_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<ControlServer> server_;
    std::string startError_;
    std::thread thread_;
    std::future<void> ended_;
};

}  // namespace chainvisor::control::test
