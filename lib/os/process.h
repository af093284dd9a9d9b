// Running a subprocess with a deadline and captured, capped output. Blocking: called from the
// engine's blocking pool. Behind an interface so providers are tested with scripted results.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace chainvisor::os {

struct ProcessResult {
    int exitCode = -1;      // the exit status; -1 when killed by a signal or not started
    int signal = 0;         // the terminating signal, if any
    bool timedOut = false;  // killed because the deadline passed
    bool startFailed = false;
    std::string out;
    std::string err;
};

struct ProcessOptions {
    std::chrono::milliseconds deadline{std::chrono::seconds(60)};
    std::string input;                    // written to stdin, then closed
    std::size_t maxOutput = 1024 * 1024;  // per stream; the rest is discarded
    // After the deadline's SIGTERM to the process group, how long before SIGKILL.
    std::chrono::milliseconds killGrace{std::chrono::seconds(2)};
};

class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    // argv[0] is looked up in PATH; no shell is involved.
    virtual ProcessResult run(const std::vector<std::string>& argv,
                              const ProcessOptions& options) = 0;
};

// fork/exec in a new process group; on the deadline the whole group gets SIGTERM, then SIGKILL.
class SystemProcessRunner final : public ProcessRunner {
public:
    ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions& options) override;
};

}  // namespace chainvisor::os
