// A fake Proxmox node behind a RemoteShell, for PctHost tests: containers as pct shows them, and
// every command PctHost runs answered the way real pct answers it (exit 255 and pve-container's
// words on stderr when it refuses). Tests change the world directly, queue replies that replace
// the next answer to a command (failures, lost connections), and read back every call with the
// stdin it got.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hosts/proxmox/timing.h"
#include "net/remote_shell.h"

namespace chainvisor::hosts::pct::test {

struct FakeCt {
    std::string status = "running";
    std::string lock;
    std::string hostname = "val1";
    std::string tags = "chainvisor;cv-c-prod;cv-n-val1";
    int cores = 2;  // 0: not set (all of the node's CPUs)
    int memory = 2048;
    int swap = 512;
    int diskGiB = 16;
    std::string net0 =
        "name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.0.0.11/24,type=veth";
    std::vector<std::string> snapshots;
    struct File {
        std::string content;
        std::string mode;
        std::string owner;
        std::string group;
    };
    std::map<std::string, File> files;
};

// One answer; `transportError` non-empty: the command's exit was never seen.
struct Reply {
    int exit = 0;
    std::string out;
    std::string err;
    std::string transportError;
    bool timedOut = false;
    bool permanent = false;
    std::string signal;
};

Reply answer(std::string out);             // exit 0
Reply failure(int exit, std::string err);  // pct refusing: exit, stderr
Reply exits(int exit, std::string out, std::string err);
Reply lost(std::string what, bool permanent = false, bool timedOut = false);

struct Call {
    std::vector<std::string> argv;
    std::string input;
    std::chrono::milliseconds deadline{};
    std::string key;
};

class FakeNode final : public net::RemoteShell {
public:
    explicit FakeNode(std::string uname = "pve2", std::string target = "root@pve2.example:22");

    const std::string& target() const override { return target_; }
    net::RemoteOutcome run(const net::RemoteCommand& command) override;

    // "uname -n", "pct list", "pct start 101", "pct exec 101", "observe" (the observation
    // script), "push" (the file-writing script): the first three argv elements otherwise.
    static std::string keyOf(const std::vector<std::string>& argv);

    // The next call of `key` gets `reply` instead of the node's own answer (queued in order).
    void on(const std::string& key, Reply reply);
    // Every call of `key` gets `reply` until cleared.
    void always(const std::string& key, Reply reply);
    void clearAlways(const std::string& key);
    // Runs once, just before the node answers the next call of `key`.
    void before(const std::string& key, std::function<void()> hook);
    // What `pct exec VMID -- argv…` answers when the container runs (default: exit 0, no output).
    void onExec(std::function<Reply(const std::vector<std::string>& argv)> handler);

    std::vector<Call> calls() const;
    std::size_t count(const std::string& key) const;
    std::size_t count() const;
    void clearCalls();

    // The world; lock mutex() when touching it while another thread may run commands.
    std::string uname;
    int cpus = 8;
    std::map<int, FakeCt> cts;
    std::set<int> brokenConfigs;           // pct config fails for them ("got timeout")
    std::vector<int> lastObservedConfigs;  // the configs the last observation printed
    std::mutex& mutex() { return mutex_; }

    // pct list and pct config exactly as pve-container prints them.
    std::string listText() const;
    std::string configText(int vmid) const;

private:
    Reply answerOf(const net::RemoteCommand& command);
    Reply observe(const std::vector<std::string>& argv);
    Reply push(const std::vector<std::string>& argv, const std::string& input);
    Reply pct(const std::vector<std::string>& argv);
    std::string missing(int vmid) const;

    std::string target_;
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<Reply>> queued_;
    std::map<std::string, Reply> always_;
    std::map<std::string, std::function<void()>> hooks_;
    std::function<Reply(const std::vector<std::string>&)> exec_;
    std::vector<Call> calls_;
};

class ManualTiming final : public proxmox::Timing {
public:
    TimePoint now() const override { return now_; }
    void sleep(std::chrono::milliseconds duration) override { now_ += duration; }
    std::chrono::milliseconds slept() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(now_ - TimePoint{});
    }

private:
    TimePoint now_{};
};

}  // namespace chainvisor::hosts::pct::test
