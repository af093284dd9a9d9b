// The built chainvisorctl against a real server with a fake api: what people see, and the exit
// codes scripts rely on. The server runs on the harness's thread; chainvisorctl runs through the
// project's process runner.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <future>
#include <string>
#include <vector>

#include "os/process.h"
#include "root_check.h"
#include "server_harness.h"

namespace {

using namespace chainvisor::control;
using namespace chainvisor::control::test;
using chainvisor::os::ProcessOptions;
using chainvisor::os::ProcessResult;
using chainvisor::os::SystemProcessRunner;

UnixSeconds now() {
    return static_cast<UnixSeconds>(std::time(nullptr));
}

ProcessResult run(const std::vector<std::string>& argv) {
    ProcessOptions options;
    options.deadline = std::chrono::seconds(30);
    SystemProcessRunner runner;
    return runner.run(argv, options);
}

ProcessResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), CHAINVISORCTL_PATH);
    return run(args);
}

ProcessResult ctl(const std::filesystem::path& socket, std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", socket.string()});
    return ctl(std::move(args));
}

struct Fixture {
    TempDir dir;
    ServerHarness harness{testOptions(dir.path()), FakeControlApi::standard(now())};
    std::filesystem::path socket = harness.socket();
};

}  // namespace

TEST_CASE_METHOD(Fixture, "chainvisorctl status prints the aligned table", "[ctl][binary]") {
    REQUIRE(harness.startError().empty());
    const auto result = ctl(socket, {"status"});
    CHECK(result.exitCode == 0);
    CHECK(result.err.empty());
    // rpc1's SINCE is 2d00h unless a second ticked between the fake's making and now.
    CHECK(result.out ==
          "2 nodes: 1 ready, 1 progressing; 0 running; last pass 0.4s ago\n"
          "\n"
          "NODE  NETWORK  ROLE       HOST   VMID  CONDITION    REASON             HEIGHT  PEERS  "
          "SINCE\n"
          "val1  devnet   validator  pve1   101   Ready        Converged          1234    3      "
          "3d04h\n"
          "rpc1  devnet   rpc        local  205   Progressing  CreatingContainer  -       -      "
          "2d00h\n");
    CHECK(result.out.find('\x1b') == std::string::npos);  // no colours into a pipe
}

TEST_CASE_METHOD(Fixture, "chainvisorctl status NODE prints the details", "[ctl][binary]") {
    REQUIRE(harness.startError().empty());
    const auto result = ctl(socket, {"status", "rpc1"});
    CHECK(result.exitCode == 0);
    CHECK(result.out.starts_with("Node:      rpc1\nNetwork:   devnet (rpc)\n"));
    CHECK(result.out.find("Message:   vmid 205 missing on local\n") != std::string::npos);
    CHECK(result.out.find("Attempts:  2; next retry in 2d01h (") != std::string::npos);

    const auto missing = ctl(socket, {"status", "rpc2"});
    CHECK(missing.exitCode == 1);
    CHECK(missing.out.empty());
    CHECK(missing.err == "chainvisorctl: no node 'rpc2' in the spec; did you mean 'rpc1'?\n");
}

TEST_CASE_METHOD(Fixture, "chainvisorctl plan and --exit-code", "[ctl][binary]") {
    REQUIRE(harness.startError().empty());
    auto result = ctl(socket, {"plan"});
    CHECK(result.exitCode == 0);
    CHECK(
        result.out.starts_with("Plan of pass 12, 5d00h ago: 2 actions.\n\n"
                               "NODE  ACTION           DISRUPTION  REASON\n"
                               "rpc1  CreateContainer  none        vmid 205 missing on local\n"));
    result = ctl(socket, {"plan", "--exit-code"});
    CHECK(result.exitCode == 2);

    harness.onIo([&] { harness.apiUnsafe().lastPlan.actions.clear(); });
    result = ctl(socket, {"plan", "--exit-code"});
    CHECK(result.exitCode == 0);
    CHECK(result.out.starts_with(
        "Plan of pass 12, 5d00h ago: no actions; the cluster matches the spec except for what "
        "waits.\n"));
}

TEST_CASE_METHOD(Fixture, "chainvisorctl --json prints the daemon's JSON as it came",
                 "[ctl][binary]") {
    REQUIRE(harness.startError().empty());
    const auto result = ctl(socket, {"--json", "plan"});
    CHECK(result.exitCode == 0);
    const auto body = boost::json::parse(result.out);
    CHECK(body.at("pass") == 12);
    CHECK(result.out.ends_with("}\n"));
    // Exit codes hold with --json too.
    CHECK(ctl(socket, {"plan", "--json", "--exit-code"}).exitCode == 2);
}

TEST_CASE_METHOD(Fixture, "chainvisorctl events, and events -f until the daemon stops",
                 "[ctl][binary]") {
    REQUIRE(harness.startError().empty());
    harness.onIo([&] {
        harness.apiUnsafe().addEvent("val1", "ActionSucceeded", "started container 101",
                                     1714564803);
        harness.apiUnsafe().addEvent("", "SpecChanged", "reloaded", 1714564804);
    });
    auto result = ctl(socket, {"events"});
    CHECK(result.exitCode == 0);
    CHECK(result.out ==
          "2024-05-01T12:00:03Z #1 val1 ActionSucceeded: started container 101\n"
          "2024-05-01T12:00:04Z #2 - SpecChanged: reloaded\n");
    result = ctl(socket, {"events", "--since", "1"});
    CHECK(result.out == "2024-05-01T12:00:04Z #2 - SpecChanged: reloaded\n");

    // Following: chainvisorctl prints what is there, long-polls, prints what comes, and ends
    // when the daemon shuts down.
    auto following = std::async(std::launch::async, [&] { return ctl(socket, {"events", "-f"}); });
    REQUIRE(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.waiting() == 1; }));
    harness.waitFor([](ControlServer& server, FakeControlApi& api) {
        api.addEvent("val1", "Paused", "paused by root", 1714564805);
        server.notifyEvents();
        return true;
    });
    // It has printed the new event once it waits again.
    REQUIRE(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.waiting() == 1; }));
    REQUIRE(harness.stop());
    result = following.get();
    CHECK(result.out ==
          "2024-05-01T12:00:03Z #1 val1 ActionSucceeded: started container 101\n"
          "2024-05-01T12:00:04Z #2 - SpecChanged: reloaded\n"
          "2024-05-01T12:00:05Z #3 val1 Paused: paused by root\n");
    CHECK(result.err == "chainvisorctl: chainvisord is shutting down\n");
    CHECK(result.exitCode == 3);
}

TEST_CASE_METHOD(Fixture, "chainvisorctl pause, resume, reconcile, reload", "[ctl][binary]") {
    REQUIRE(harness.startError().empty());
    auto result = ctl(socket, {"pause", "val1"});
    CHECK(result.exitCode == 0);
    CHECK(result.out == "paused val1\n");
    CHECK(harness.onIo([&] { return harness.apiUnsafe().pausedNodes.contains("val1"); }));
    result = ctl(socket, {"resume"});
    CHECK(result.out == "resumed every node\n");
    result = ctl(socket, {"pause", "vall"});
    CHECK(result.exitCode == 1);
    CHECK(result.err == "chainvisorctl: no node 'vall' in the spec; did you mean 'val1'?\n");

    result = ctl(socket, {"reconcile"});
    CHECK(result.exitCode == 0);
    CHECK(result.out == "pass 1 requested\n");

    auto waiting = std::async(std::launch::async, [&] {
        return ctl(socket, {"reconcile", "--wait=20"});
    });
    REQUIRE(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.waiting() == 1; }));
    harness.waitFor([](ControlServer& server, FakeControlApi& api) {
        api.completed = api.requested;
        server.notifyPassCompleted(api.requested);
        return true;
    });
    result = waiting.get();
    CHECK(result.exitCode == 0);
    CHECK(result.out == "pass 1 completed\n");  // the pass asked for above, not yet run

    result = ctl(socket, {"reconcile", "--wait=0.1"});
    CHECK(result.exitCode == 1);
    CHECK(result.err == "chainvisorctl: pass 2 was requested but did not complete in time\n");

    result = ctl(socket, {"reload"});
    CHECK(result.exitCode == 0);
    CHECK(result.out == "reloaded\n");
    harness.onIo([&] { harness.apiUnsafe().reloadProblem = "cluster.yaml:3:1: bad"; });
    result = ctl(socket, {"reload"});
    CHECK(result.exitCode == 1);
    CHECK(result.err ==
          "chainvisorctl: reload refused: cluster.yaml:3:1: bad; still running the previous "
          "spec\n");
}

TEST_CASE("chainvisorctl: no daemon is exit code 3 with a clear message", "[ctl][binary]") {
    TempDir dir;
    const auto missing = dir.path() / "control.sock";
    auto result = ctl(missing, {"status"});
    CHECK(result.exitCode == 3);
    CHECK(result.err == "chainvisorctl: chainvisord is not running (no control socket at " +
                            missing.string() + ")\n");

    // The environment names the socket when --socket does not.
    result = run({"env", "CHAINVISOR_SOCKET=" + missing.string(), CHAINVISORCTL_PATH, "plan"});
    CHECK(result.exitCode == 3);
    CHECK(result.err.find(missing.string()) != std::string::npos);

    SECTION("a socket nobody answers on: not answering") {
        // A server that stopped without removing its socket leaves one like this.
        {
            ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
            REQUIRE(harness.startError().empty());
            std::filesystem::create_hard_link(harness.socket(), dir.path() / "kept.sock");
        }
        result = ctl(dir.path() / "kept.sock", {"status"});
        CHECK(result.exitCode == 3);
        CHECK(result.err.find("chainvisord is not answering on") != std::string::npos);
    }
}

TEST_CASE("chainvisorctl: usage errors are exit code 1, --help and --version are 0",
          "[ctl][binary]") {
    auto result = ctl({"frobnicate"});
    CHECK(result.exitCode == 1);
    CHECK(result.err.starts_with("chainvisorctl: unknown command 'frobnicate'"));
    result = ctl({"--help"});
    CHECK(result.exitCode == 0);
    CHECK(result.out.starts_with("Usage: chainvisorctl [OPTIONS] COMMAND [ARGS]\n"));
    result = ctl({"--version"});
    CHECK(result.exitCode == 0);
    CHECK(result.out.starts_with("chainvisorctl "));
}

TEST_CASE("chainvisorctl: permission denied is exit code 4 with what to do", "[ctl][binary]") {
    if (!haveRoot("it runs chainvisorctl as nobody")) {
        return;
    }
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    const std::vector<std::string> asNobody = {
        "setpriv",          "--reuid=nobody", "--regid=nogroup",        "--clear-groups",
        CHAINVISORCTL_PATH, "--socket",       harness.socket().string()};
    const auto runAsNobody = [&](std::vector<std::string> args) {
        auto argv = asNobody;
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    };

    // The socket file keeps nobody out.
    auto result = runAsNobody({"status"});
    CHECK(result.exitCode == 4);
    CHECK(result.err.find("permission denied on " + harness.socket().string()) !=
          std::string::npos);
    CHECK(result.err.find("sudo adduser $USER chainvisor") != std::string::npos);

    // Let everyone connect: reading works, changing is refused by the daemon.
    REQUIRE(::chmod(harness.socket().c_str(), 0666) == 0);
    result = runAsNobody({"status"});
    CHECK(result.exitCode == 0);
    result = runAsNobody({"pause", "val1"});
    CHECK(result.exitCode == 4);
    CHECK(result.err.starts_with(
        "chainvisorctl: permission denied: changing chainvisord is for root"));
    CHECK(result.err.find("sudo adduser $USER chainvisor") != std::string::npos);
}
