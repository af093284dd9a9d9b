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
    Flag{"--config", true},     Flag{"--state-dir", true}, Flag{"--cache-dir", true},
    Flag{"--log-format", true}, Flag{"--log-level", true}, Flag{"--check-config", true},
    Flag{"--plan", false},      Flag{"--version", false},  Flag{"--help", false},
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

}  // namespace

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
  --check-config FILE  validate FILE: exit 0 if valid (warnings on stderr), 1 with the errors
  --plan               print what would be done to make an empty world match --config, and exit
  --version            print the version and exit
  --help               print this help and exit
)";
}

}  // namespace chainvisor::daemon
