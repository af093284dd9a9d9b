#include "ctl_options.h"

#include <charconv>
#include <cmath>
#include <vector>

#include "control/server_options.h"
#include "options.h"

namespace chainvisor::ctl {
namespace {

struct CommandName {
    std::string_view name;
    Command command;
    bool takesNode;
};

constexpr CommandName kCommands[] = {
    {"status", Command::Status, true},    {"plan", Command::Plan, false},
    {"events", Command::Events, false},   {"pause", Command::Pause, true},
    {"resume", Command::Resume, true},    {"reconcile", Command::Reconcile, false},
    {"reload", Command::Reload, false},   {"help", Command::Help, false},
    {"version", Command::Version, false},
};

std::string commandList() {
    std::string out;
    for (const auto& c : kCommands) {
        out += (out.empty() ? "" : ", ") + std::string(c.name);
    }
    return out + ", besu";  // offline tools, parsed apart (besuCommand)
}

std::optional<std::chrono::milliseconds> seconds(std::string_view text) {
    double value = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() ||
        !std::isfinite(value) || value < 0 || value > 86400) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(value * 1000)));
}

// "besu SUBCOMMAND": the offline Besu commands.
std::optional<Command> besuCommand(std::span<const std::string_view> positional,
                                   std::string& error) {
    if (positional.size() < 2) {
        error = "besu needs a subcommand: address or genesis";
        return std::nullopt;
    }
    std::optional<Command> command;
    if (positional[1] == "address") {
        command = Command::BesuAddress;
    } else if (positional[1] == "genesis") {
        command = Command::BesuGenesis;
    } else {
        error = "besu: unknown subcommand '" + std::string(positional[1]) +
                "'; subcommands: address, genesis";
        return std::nullopt;
    }
    if (positional.size() > 2) {
        error = "besu " + std::string(positional[1]) + ": unexpected argument '" +
                std::string(positional[2]) + "'";
        return std::nullopt;
    }
    return command;
}

std::optional<std::uint64_t> unsignedNumber(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::string ctlUsage() {
    return R"(Usage: chainvisorctl [OPTIONS] COMMAND [ARGS]

Ask chainvisord, over its control socket, what it sees and plans, and tell it what to do.

Commands:
  status [NODE]            every node's condition; with NODE, that node in detail
  plan [--exit-code]       what the last pass planned, what waits and why
                             --exit-code: exit 2 when there are actions
  events [--since N] [-f]  what happened, oldest first, after event N
                             -f, --follow: keep printing new events until Ctrl-C
  pause [NODE]             stop acting on NODE (without NODE: on every node)
  resume [NODE]            act again on NODE (without NODE: lift every pause)
  reconcile [--wait[=S]]   run a pass now; --wait: until it completed (at most S s, 60)
  reload                   re-read the cluster file (a bad file keeps the running spec)

Offline commands (they read files and do not ask chainvisord):
  besu address --key-file FILE
                           a Besu node key's address (EIP-55) and public key (enode id)
  besu genesis [--network NAME] [--config FILE] [--state-dir DIR]
                           the genesis.json chainvisord installs for Besu network NAME
                             (needed only when the cluster file has several); FILE: the
                             cluster file (default /etc/chainvisor/cluster.yaml); DIR: where
                             chainvisord keeps the keys it made (default /var/lib/chainvisor)

Options:
  --socket PATH            the control socket (default: $CHAINVISOR_SOCKET, else
                             /run/chainvisor/control.sock)
  --json                   print the daemon's JSON reply as it came
  --timeout S              how long to wait for the daemon (default 10 s)
  -h, --help               this text
  --version                chainvisorctl's version

Exit codes: 0 ok; 1 error (from the daemon, or usage); 2 the plan has actions (plan
--exit-code); 3 chainvisord is not running; 4 permission denied.
Changing commands (pause, resume, reconcile, reload) need root or group chainvisor.
)";
}

ParsedCtlOptions parseCtlOptions(std::span<const std::string_view> args,
                                 std::optional<std::string_view> socketFromEnvironment) {
    CtlOptions options;
    std::vector<std::string_view> positional;
    std::optional<std::string_view> socket;
    std::optional<std::string_view> config;
    std::optional<std::string_view> stateDir;
    bool sawSince = false;
    const auto fail = [](std::string error) { return ParsedCtlOptions{std::nullopt, error}; };

    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        // "--name=value" or "--name value" for options that take a value.
        const auto valueOf = [&](std::string_view name) -> std::optional<std::string_view> {
            if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
                return arg.substr(name.size() + 1);
            }
            if (arg == name && i + 1 < args.size()) {
                return args[++i];
            }
            return std::nullopt;
        };
        if (arg == "--") {
            positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1,
                              args.end());
            break;
        }
        if (arg == "-h" || arg == "--help") {
            options.command = Command::Help;
            return {options, {}};
        }
        if (arg == "--version") {
            options.command = Command::Version;
            return {options, {}};
        }
        if (arg == "--json") {
            options.json = true;
        } else if (arg == "--exit-code") {
            options.exitCode = true;
        } else if (arg == "-f" || arg == "--follow") {
            options.follow = true;
        } else if (arg == "--wait") {
            options.wait = std::chrono::seconds(60);
        } else if (arg.starts_with("--wait=")) {
            options.wait = seconds(arg.substr(7));
            if (!options.wait) {
                return fail("--wait: '" + std::string(arg.substr(7)) +
                            "' is not a number of seconds");
            }
        } else if (arg == "--socket" || arg.starts_with("--socket=")) {
            socket = valueOf("--socket");
            if (!socket || socket->empty()) {
                return fail("--socket needs a path");
            }
        } else if (arg == "--timeout" || arg.starts_with("--timeout=")) {
            const auto value = valueOf("--timeout");
            const auto parsed = value ? seconds(*value) : std::nullopt;
            if (!parsed || parsed->count() == 0) {
                return fail("--timeout needs a number of seconds greater than 0");
            }
            options.timeout = *parsed;
        } else if (arg == "--since" || arg.starts_with("--since=")) {
            const auto value = valueOf("--since");
            const auto parsed = value ? unsignedNumber(*value) : std::nullopt;
            if (!parsed) {
                return fail("--since needs an event sequence number (0, 1, 2, …)");
            }
            options.since = *parsed;
            sawSince = true;
        } else if (arg == "--key-file" || arg.starts_with("--key-file=")) {
            const auto value = valueOf("--key-file");
            if (!value || value->empty()) {
                return fail("--key-file needs the path of a Besu node key file");
            }
            options.keyFile = std::string(*value);
        } else if (arg == "--config" || arg.starts_with("--config=")) {
            config = valueOf("--config");
            if (!config || config->empty()) {
                return fail("--config needs the path of a cluster file");
            }
        } else if (arg == "--network" || arg.starts_with("--network=")) {
            const auto value = valueOf("--network");
            if (!value || value->empty()) {
                return fail("--network needs a network name");
            }
            options.network = std::string(*value);
        } else if (arg == "--state-dir" || arg.starts_with("--state-dir=")) {
            stateDir = valueOf("--state-dir");
            if (!stateDir || stateDir->empty()) {
                return fail("--state-dir needs the path of chainvisord's state directory");
            }
        } else if (arg.size() > 1 && arg.front() == '-') {
            return fail("unknown option '" + std::string(arg) +
                        "'; options: --socket, --json, --timeout, --exit-code, --since, -f, "
                        "--wait, --key-file, --config, --network, --state-dir, --help, "
                        "--version");
        } else {
            positional.push_back(arg);
        }
    }

    if (positional.empty()) {
        return fail("no command given; commands: " + commandList());
    }
    if (positional.front() == "besu") {
        std::string error;
        const auto besu = besuCommand(positional, error);
        if (!besu) {
            return fail(error);
        }
        options.command = *besu;
    } else {
        const CommandName* command = nullptr;
        for (const auto& c : kCommands) {
            if (c.name == positional.front()) {
                command = &c;
            }
        }
        if (!command) {
            return fail("unknown command '" + std::string(positional.front()) +
                        "'; commands: " + commandList());
        }
        options.command = command->command;
        const std::string name(command->name);
        const std::size_t maxArguments = command->takesNode ? 1 : 0;
        if (positional.size() - 1 > maxArguments) {
            return fail(name + ": unexpected argument '" +
                        std::string(positional[maxArguments + 1]) + "'" +
                        (command->takesNode ? "; it takes at most one node name" : ""));
        }
        if (positional.size() == 2) {
            options.node = std::string(positional[1]);
        }
    }
    if (options.exitCode && options.command != Command::Plan) {
        return fail("--exit-code is for plan only");
    }
    if ((options.follow || sawSince) && options.command != Command::Events) {
        return fail(std::string(options.follow ? "-f" : "--since") + " is for events only");
    }
    if (options.wait && options.command != Command::Reconcile) {
        return fail("--wait is for reconcile only");
    }
    if (!options.keyFile.empty() && options.command != Command::BesuAddress) {
        return fail("--key-file is for besu address only");
    }
    if ((config || stateDir || !options.network.empty()) &&
        options.command != Command::BesuGenesis) {
        return fail(std::string(config     ? "--config"
                                : stateDir ? "--state-dir"
                                           : "--network") +
                    " is for besu genesis only");
    }
    if (options.command == Command::BesuAddress && options.keyFile.empty()) {
        return fail("besu address needs --key-file FILE (a Besu node key file)");
    }
    options.config = std::string(config ? *config : daemon::kDefaultConfig);
    options.stateDir = std::string(stateDir ? *stateDir : daemon::kDefaultStateDir);

    if (socket) {
        options.socket = std::string(*socket);
    } else if (socketFromEnvironment && !socketFromEnvironment->empty()) {
        options.socket = std::string(*socketFromEnvironment);
    } else {
        options.socket = std::string(control::kDefaultSocketPath);
    }
    return {options, {}};
}

}  // namespace chainvisor::ctl
