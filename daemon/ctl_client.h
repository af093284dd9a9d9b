// chainvisorctl's side of the control socket: one HTTP request over the Unix socket, with one
// deadline for connect, write and read. Blocking (chainvisorctl has nothing else to do).
// Failures are sorted by what the user should do about them.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace chainvisor::ctl {

enum class Failure {
    None,
    NotRunning,        // no socket file
    NotAnswering,      // a socket file nobody accepts on (a daemon that died)
    PermissionDenied,  // the socket file is not ours to connect to
    TimedOut,
    Other,
};

struct Reply {
    int status = 0;
    std::string body;
};

struct CallResult {
    std::optional<Reply> reply;
    Failure failure = Failure::None;
    std::string error;  // set with a failure: what happened, for humans
};

struct Call {
    std::string method = "GET";  // GET or POST
    std::string target;          // "/v1/status"
    std::string body;            // JSON, POST only
    std::chrono::milliseconds deadline{std::chrono::seconds(10)};
};

CallResult call(const std::filesystem::path& socket, const Call& request);

}  // namespace chainvisor::ctl
