// chainvisord's command line: parsed and validated up front, before anything starts, with a
// precise message for each mistake.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chainvisor::daemon {

enum class Mode {
    Run,          // reconcile until stopped
    CheckConfig,  // --check-config FILE: validate and exit 0 (valid) or 1 (errors)
    Plan,         // --plan: print the plan against an empty world and exit
    Version,
    Help,
};

enum class LogFormat { Text, Json };
enum class LogLevel { Trace, Debug, Info, Warn, Error };

inline constexpr std::string_view kDefaultConfig = "/etc/chainvisor/cluster.yaml";
inline constexpr std::string_view kDefaultStateDir = "/var/lib/chainvisor";
inline constexpr std::string_view kDefaultCacheDir = "/var/cache/chainvisor";
inline constexpr std::string_view kDefaultControlSocket = "/run/chainvisor/control.sock";
inline constexpr std::string_view kDefaultMetricsHost = "127.0.0.1";
inline constexpr int kDefaultMetricsPort = 19818;  // observe/metrics_server.h says why this one

// Where /metrics is served: an IPv4 address (or "localhost") and a port; port 0 picks a free one.
struct ListenAddress {
    std::string host{std::string(kDefaultMetricsHost)};
    int port = kDefaultMetricsPort;
};

struct Options {
    Mode mode = Mode::Run;
    std::filesystem::path config{std::string(kDefaultConfig)};
    std::filesystem::path stateDir{std::string(kDefaultStateDir)};
    std::filesystem::path cacheDir{std::string(kDefaultCacheDir)};  // base root filesystems
    LogFormat logFormat = LogFormat::Text;
    LogLevel logLevel = LogLevel::Info;
    std::optional<ListenAddress> metrics = ListenAddress{};  // nullopt: --metrics-address off
    std::filesystem::path controlSocket{std::string(kDefaultControlSocket)};  // "" when off
};

// "127.0.0.1:19818", "0.0.0.0:9999", "localhost:0"; nullopt with `error` set otherwise.
std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string& error);

struct ParsedOptions {
    std::optional<Options> options;  // set when the command line is valid
    std::string error;               // otherwise: what is wrong and what is accepted
};

// `args` excludes the program name.
ParsedOptions parseOptions(std::span<const std::string_view> args);

std::string usage();

}  // namespace chainvisor::daemon
