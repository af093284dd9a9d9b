// chainvisorctl's command line, parsed and checked before anything is sent to the daemon.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chainvisor::ctl {

enum class Command {
    Status,
    Plan,
    Events,
    Pause,
    Resume,
    Reconcile,
    Reload,
    Help,
    Version,
    BesuAddress,  // besu address: offline, reads a key file
    BesuGenesis,  // besu genesis: offline, reads the cluster file and validators' keys
};

inline constexpr std::string_view kSocketEnvironment = "CHAINVISOR_SOCKET";

struct CtlOptions {
    Command command = Command::Help;
    std::filesystem::path socket;
    bool json = false;  // print the daemon's JSON as it came
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    std::optional<std::string> node;                // status, pause, resume
    bool exitCode = false;                          // plan --exit-code
    bool follow = false;                            // events -f
    std::uint64_t since = 0;                        // events --since
    std::optional<std::chrono::milliseconds> wait;  // reconcile --wait[=S]
    std::filesystem::path keyFile;                  // besu address --key-file
    std::filesystem::path config;                   // besu genesis --config (the daemon's default)
    std::string network;                            // besu genesis --network ("": the only one)
    std::filesystem::path stateDir;                 // besu genesis --state-dir (daemon's default)
};

struct ParsedCtlOptions {
    std::optional<CtlOptions> options;
    std::string error;  // what is wrong and what is accepted
};

// `args` excludes the program name. `socketFromEnvironment`: CHAINVISOR_SOCKET, if set.
ParsedCtlOptions parseCtlOptions(std::span<const std::string_view> args,
                                 std::optional<std::string_view> socketFromEnvironment);

std::string ctlUsage();

}  // namespace chainvisor::ctl
