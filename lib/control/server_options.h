// How the control server is set up: where its socket is, who may change things, and the limits
// that keep one slow or greedy client from holding the daemon.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace chainvisor::control {

inline constexpr std::string_view kDefaultSocketPath = "/run/chainvisor/control.sock";
inline constexpr std::string_view kDefaultGroup = "chainvisor";

struct ControlServerOptions {
    std::filesystem::path socketPath{std::string(kDefaultSocketPath)};
    // Members may POST (change things); the socket file belongs to it with mode 0660. When the
    // group does not exist the socket stays root's group and only root may change things.
    std::string group{kDefaultGroup};
    // Reading one request (also how long an idle kept-alive connection is held).
    std::chrono::milliseconds readTimeout{std::chrono::seconds(10)};
    std::chrono::milliseconds writeTimeout{std::chrono::seconds(10)};
    // The longest a long-poll (events?wait=, reconcile?wait=) may wait; longer asks are cut.
    std::chrono::milliseconds maxWait{std::chrono::seconds(60)};
    std::size_t maxConnections = 64;
    std::size_t maxBodyBytes = 64 * 1024;
    std::size_t maxEventsPerReply = 1000;
    std::string version;  // the daemon's, reported by /v1/status
};

}  // namespace chainvisor::control
