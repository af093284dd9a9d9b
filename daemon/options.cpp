#include "options.h"

#include <array>
#include <utility>

namespace chainvisor::daemon {
namespace {

struct Flag {
    std::string_view name;
    bool takesValue;
};

constexpr std::array kFlags = {
    Flag{"--config", true},          Flag{"--state-dir", true},      Flag{"--cache-dir", true},
    Flag{"--log-format", true},      Flag{"--log-level", true},      Flag{"--check-config", true},
    Flag{"--plan", false},           Flag{"--version", false},       Flag{"--help", false},
    Flag{"--metrics-address", true}, Flag{"--control-socket", true},
};

const Flag* findFlag(std::string_view name) {
    for (const auto& f : kFlags) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

std::optional<LogLevel> parseLevel(std::string_view s) {
    constexpr std::array<std::pair<std::string_view, LogLevel>, 5> levels = {{
        {"trace", LogLevel::Trace},
        {"debug", LogLevel::Debug},
        {"info", LogLevel::Info},
        {"warn", LogLevel::Warn},
        {"error", LogLevel::Error},
    }};
    for (const auto& [name, level] : levels) {
        if (s == name) {
            return level;
        }
    }
    return std::nullopt;
}

ParsedOptions fail(std::string message) {
    return {std::nullopt, std::move(message)};
}

bool isIpv4(std::string_view s) {
    int parts = 0;
    while (true) {
        const auto dot = s.find('.');
        const auto part = s.substr(0, dot);
        if (part.empty() || part.size() > 3 ||
            part.find_first_not_of("0123456789") != std::string_view::npos ||
            std::stoi(std::string(part)) > 255 || (part.size() > 1 && part[0] == '0')) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) {
            return parts == 4;
        }
        s.remove_prefix(dot + 1);
    }
}

}  // namespace

std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string& error) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        error = "'" + std::string(text) +
                "' needs a port, e.g. 127.0.0.1:" + std::to_string(kDefaultMetricsPort);
        return std::nullopt;
    }
    const std::string_view host = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);
    if (host != "localhost" && !isIpv4(host)) {
        error = "'" + std::string(host) +
                "' is not an IPv4 address; accepted: an address such as 127.0.0.1 or 0.0.0.0, "
                "or localhost";
        return std::nullopt;
    }
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) > 65535) {
        error = "'" + std::string(port) + "' is not a port; accepted: 0 to 65535";
        return std::nullopt;
    }
    return ListenAddress{host == "localhost" ? "127.0.0.1" : std::string(host),
                         std::stoi(std::string(port))};
}

ParsedOptions parseOptions(std::span<const std::string_view> args) {
    Options o;
    bool sawConfig = false;
    bool sawCheck = false;
    bool sawPlan = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::optional<std::string_view> inlineValue;
        if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            inlineValue = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        const Flag* flag = findFlag(arg);
        if (flag == nullptr) {
            if (!arg.starts_with("-")) {
                return fail("unexpected argument '" + std::string(arg) +
                            "'; chainvisord takes only options (see --help)");
            }
            return fail("unknown option '" + std::string(arg) + "' (see --help)");
        }
        std::string_view value;
        if (flag->takesValue) {
            if (inlineValue) {
                value = *inlineValue;
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                return fail(std::string(arg) + " needs a value");
            }
            if (value.empty()) {
                return fail(std::string(arg) + " needs a non-empty value");
            }
        } else if (inlineValue) {
            return fail(std::string(arg) + " takes no value");
        }

        if (arg == "--config") {
            o.config = std::string(value);
            sawConfig = true;
        } else if (arg == "--check-config") {
            o.config = std::string(value);
            sawCheck = true;
        } else if (arg == "--state-dir") {
            o.stateDir = std::string(value);
        } else if (arg == "--cache-dir") {
            o.cacheDir = std::string(value);
        } else if (arg == "--log-format") {
            if (value == "text") {
                o.logFormat = LogFormat::Text;
            } else if (value == "json") {
                o.logFormat = LogFormat::Json;
            } else {
                return fail("--log-format: '" + std::string(value) +
                            "' is not a format; accepted: text, json");
            }
        } else if (arg == "--log-level") {
            auto level = parseLevel(value);
            if (!level) {
                return fail("--log-level: '" + std::string(value) +
                            "' is not a level; accepted: trace, debug, info, warn, error");
            }
            o.logLevel = *level;
        } else if (arg == "--metrics-address") {
            if (value == "off") {
                o.metrics.reset();
            } else {
                std::string error;
                o.metrics = parseListenAddress(value, error);
                if (!o.metrics) {
                    return fail("--metrics-address: " + error + "; or off");
                }
            }
        } else if (arg == "--control-socket") {
            o.controlSocket = value == "off" ? std::string() : std::string(value);
            if (!o.controlSocket.empty() && !o.controlSocket.is_absolute()) {
                return fail("--control-socket: '" + std::string(value) +
                            "' must be an absolute path, or off");
            }
        } else if (arg == "--plan") {
            sawPlan = true;
        } else if (arg == "--version") {
            o.mode = Mode::Version;
            return {o, {}};
        } else if (arg == "--help") {
            o.mode = Mode::Help;
            return {o, {}};
        }
    }
    if (sawCheck && (sawPlan || sawConfig)) {
        return fail("--check-config FILE names its own file; use it alone, not with " +
                    std::string(sawPlan ? "--plan" : "--config"));
    }
    if (sawCheck) {
        o.mode = Mode::CheckConfig;
    } else if (sawPlan) {
        o.mode = Mode::Plan;
    }
    if (o.mode == Mode::Run) {
        for (const auto& [flag, dir] :
             {std::pair{"--state-dir", &o.stateDir}, std::pair{"--cache-dir", &o.cacheDir}}) {
            if (!dir->is_absolute()) {
                return fail(std::string(flag) + ": '" + dir->string() +
                            "' must be an absolute path (the daemon does not depend on its "
                            "working directory)");
            }
        }
    }
    return {o, {}};
}

std::string usage() {
    return R"(Usage: chainvisord [OPTIONS]

Keeps the blockchain nodes declared in a cluster file running in LXC containers.

Options:
  --config FILE        cluster file (default /etc/chainvisor/cluster.yaml)
  --state-dir DIR      journal, keys, local containers (default /var/lib/chainvisor)
  --cache-dir DIR      base root filesystems (default /var/cache/chainvisor)
  --log-format FORMAT  text (default) or json
  --log-level LEVEL    trace, debug, info (default), warn or error
  --metrics-address A  serve Prometheus metrics on A (default 127.0.0.1:19818), or off
  --control-socket P   answer chainvisorctl on the Unix socket P
                       (default /run/chainvisor/control.sock), or off
  --check-config FILE  validate FILE: exit 0 if valid (warnings on stderr), 1 with the errors
  --plan               print what would be done to make an empty world match --config, and exit
  --version            print the version and exit
  --help               print this help and exit
)";
}

}  // namespace chainvisor::daemon
