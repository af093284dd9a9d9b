// SystemProcessRunner against real short processes: exit codes, capture, stdin, caps, deadlines.
#include "os/process.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace {

using chainvisor::os::ProcessOptions;
using chainvisor::os::ProcessResult;
using chainvisor::os::SystemProcessRunner;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

ProcessResult run(const std::vector<std::string>& argv, ProcessOptions options = {}) {
    SystemProcessRunner runner;
    return runner.run(argv, options);
}

// True once the process is gone or a zombie waiting for its (new) parent to reap it.
bool processDead(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) {
        return true;
    }
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

bool waitDead(int pid, std::chrono::milliseconds limit) {
    const auto until = SteadyClock::now() + limit;
    while (SteadyClock::now() < until) {
        if (processDead(pid)) {
            return true;
        }
        std::this_thread::yield();
    }
    return processDead(pid);
}

}  // namespace

TEST_CASE("process: exit codes are reported", "[os][process]") {
    auto ok = run({"true"});
    CHECK(ok.exitCode == 0);
    CHECK_FALSE(ok.timedOut);
    CHECK_FALSE(ok.startFailed);
    CHECK(ok.signal == 0);

    auto three = run({"sh", "-c", "exit 3"});
    CHECK(three.exitCode == 3);
    CHECK(three.signal == 0);
}

TEST_CASE("process: stdout and stderr are captured separately", "[os][process]") {
    auto r = run({"sh", "-c", "echo out; echo err >&2; echo more"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "out\nmore\n");
    CHECK(r.err == "err\n");
}

TEST_CASE("process: arguments reach the program literally, no shell", "[os][process]") {
    auto r = run({"printf", "%s|%s", "$(echo hi);*", "a b"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "$(echo hi);*|a b");
}

TEST_CASE("process: stdin is passed through and closed", "[os][process]") {
    ProcessOptions options;
    options.input = "hello\nworld";
    auto r = run({"cat"}, options);
    CHECK(r.exitCode == 0);
    CHECK(r.out == "hello\nworld");

    SECTION("large input is interleaved with output without deadlock") {
        ProcessOptions big;
        big.input.assign(3 * 1024 * 1024, 'x');
        big.input[12345] = 'y';
        big.maxOutput = 4 * 1024 * 1024;
        auto rb = run({"cat"}, big);
        CHECK(rb.exitCode == 0);
        CHECK(rb.out.size() == big.input.size());
        CHECK(rb.out == big.input);
    }
    SECTION("no input: the child sees end of file at once") {
        auto rc = run({"cat"});
        CHECK(rc.exitCode == 0);
        CHECK(rc.out.empty());
    }
}

TEST_CASE("process: a child that does not read its input does not kill us", "[os][process]") {
    ProcessOptions options;
    options.input.assign(8 * 1024 * 1024, 'z');
    auto r = run({"true"}, options);
    CHECK(r.exitCode == 0);
    CHECK_FALSE(r.timedOut);
}

TEST_CASE("process: output is capped per stream and the rest drained", "[os][process]") {
    ProcessOptions options;
    options.maxOutput = 1000;
    auto r =
        run({"sh", "-c", "head -c 3000000 /dev/zero; head -c 5000 /dev/zero >&2; exit 4"}, options);
    CHECK(r.exitCode == 4);  // the writer was not stopped by a full pipe or SIGPIPE
    CHECK(r.out.size() == 1000);
    CHECK(r.err.size() == 1000);
    CHECK_FALSE(r.timedOut);
}

TEST_CASE("process: the deadline kills the process quickly", "[os][process]") {
    ProcessOptions options;
    options.deadline = 200ms;
    const auto start = SteadyClock::now();
    auto r = run({"sleep", "30"}, options);
    const auto elapsed = SteadyClock::now() - start;
    CHECK(r.timedOut);
    CHECK(r.signal == SIGTERM);
    CHECK(r.exitCode == -1);
    CHECK(elapsed < 5s);
}

TEST_CASE("process: the deadline kills the whole process group, a shell's children too",
          "[os][process]") {
    ProcessOptions options;
    options.deadline = 300ms;
    const auto start = SteadyClock::now();
    // The shell prints its child's pid, then waits: both must die.
    auto r = run({"sh", "-c", "sleep 30 & echo $!; wait"}, options);
    const auto elapsed = SteadyClock::now() - start;
    CHECK(r.timedOut);
    CHECK(elapsed < 5s);
    const int sleeper = std::stoi(r.out);
    CHECK(waitDead(sleeper, 5s));
}

TEST_CASE("process: a process ignoring SIGTERM gets SIGKILL after the grace", "[os][process]") {
    ProcessOptions options;
    options.deadline = 200ms;
    options.killGrace = 300ms;
    const auto start = SteadyClock::now();
    auto r = run({"sh", "-c", "trap '' TERM; sleep 30 & echo $!; wait; wait"}, options);
    const auto elapsed = SteadyClock::now() - start;
    CHECK(r.timedOut);
    CHECK(r.signal == SIGKILL);
    CHECK(elapsed < 5s);
    CHECK(waitDead(std::stoi(r.out), 5s));
}

TEST_CASE("process: a process killed by a signal reports it", "[os][process]") {
    auto r = run({"sh", "-c", "kill -KILL $$"});
    CHECK(r.signal == SIGKILL);
    CHECK(r.exitCode == -1);
    CHECK_FALSE(r.timedOut);
}

TEST_CASE("process: a grandchild holding the output open does not hold us", "[os][process]") {
    ProcessOptions options;
    options.deadline = 20s;
    const auto start = SteadyClock::now();
    auto r = run({"sh", "-c", "sleep 30 & echo $!"}, options);
    const auto elapsed = SteadyClock::now() - start;
    CHECK(r.exitCode == 0);
    CHECK_FALSE(r.timedOut);
    CHECK(elapsed < 5s);
    const int straggler = std::stoi(r.out);
    ::kill(straggler, SIGKILL);  // it was not ours to kill: the command exited normally
    CHECK(waitDead(straggler, 5s));
}

TEST_CASE("process: exec failures are start failures with the reason", "[os][process]") {
    auto missing = run({"/nonexistent/chainvisor-no-such-program"});
    CHECK(missing.startFailed);
    CHECK(missing.exitCode == -1);
    CHECK(missing.err.find("No such file or directory") != std::string::npos);
    CHECK(missing.err.find("/nonexistent/chainvisor-no-such-program") != std::string::npos);

    auto notInPath = run({"chainvisor-no-such-program-in-path"});
    CHECK(notInPath.startFailed);

    auto notExecutable = run({"/etc/passwd"});
    CHECK(notExecutable.startFailed);
    CHECK(notExecutable.err.find("Permission denied") != std::string::npos);

    auto empty = run({});
    CHECK(empty.startFailed);
}

TEST_CASE("process: the child starts with default signal dispositions and no blocked signals",
          "[os][process]") {
    // Even glibc's internal signals (32, 33), which posix_spawn would otherwise leave ignored.
    auto r = run({"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}
