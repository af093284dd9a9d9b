// Proxmox tasks: lifecycle calls (create, start, shutdown, stop, resize, snapshot, rollback,
// destroy) answer with a UPID at once and do their work in a worker process on the node. This is
// how chainvisor waits for one: poll GET /nodes/{node}/tasks/{upid}/status until it has stopped,
// within an overall deadline. The interval is a fifth of the time waited so far (100 ms to 2 s):
// a task is seen to end within about 20% of its duration, and a long one costs few requests.
//
//   * A just-started task can be briefly unknown (400 "no such task"): polling goes on for
//     `unknownGrace`.
//   * Transient poll failures (a 5xx, a dropped connection) are tolerated for `errorGrace`; a
//     Permanent one (401, 403) ends the wait at once.
//   * Exit status "OK" or "WARNINGS: n" is success. Anything else is a Transient error (the
//     engine's bounded retries apply; lock contention is the usual cause) whose message carries
//     the exit status and the last lines of the task log, without its "TASK ERROR" repetition.
//   * Past the deadline the task is left running and the wait fails Transient; a retried action
//     then finds the work done or the container locked.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hosts/proxmox/api_client.h"
#include "hosts/proxmox/timing.h"
#include "hosts/result.h"

namespace chainvisor::hosts::proxmox {

// UPID:node:PID:PSTART:STARTTIME:type:id:user: (hex PID, PSTART, STARTTIME; trailing colon).
struct Upid {
    std::string text;  // the whole UPID as the API gave it
    std::string node;
    std::string type;  // vzcreate, vzstart, vzshutdown, …
    std::string id;    // usually the vmid; may be empty
    std::string user;  // user@realm or user@realm!token
};

std::optional<Upid> parseUpid(std::string_view text);

struct TaskOptions {
    std::chrono::milliseconds minPoll{100};
    std::chrono::milliseconds maxPoll{2000};
    int pollFraction = 5;  // poll after 1/pollFraction of the time waited so far
    std::chrono::milliseconds deadline{std::chrono::minutes(10)};
    std::chrono::milliseconds unknownGrace{std::chrono::seconds(15)};
    std::chrono::milliseconds errorGrace{std::chrono::seconds(30)};
    int logLines = 5;
};

// Waits for the task `upid` (the "data" of a lifecycle call). `deadline` overrides
// options.deadline (a shutdown waits at least its own timeout).
Result<void> waitForTask(ProxmoxApi& api, Timing& timing, const boost::json::value& upid,
                         const TaskOptions& options,
                         std::optional<std::chrono::milliseconds> deadline = std::nullopt);

// How long to wait before the next poll of something that has been waited on for `elapsed`.
std::chrono::milliseconds pollDelay(const TaskOptions& options, std::chrono::nanoseconds elapsed);

// The last `lines` meaningful lines of a task's log, joined by " | " ("" when unavailable).
std::string taskLogTail(ProxmoxApi& api, const Upid& upid, int lines);

}  // namespace chainvisor::hosts::proxmox
