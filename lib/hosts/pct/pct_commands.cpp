#include "hosts/pct/pct_commands.h"

#include <cstdio>
#include <regex>

#include "hosts/pct/pct_errors.h"
#include "hosts/proxmox/ct_config.h"
#include "hosts/proxmox/marker.h"

namespace chainvisor::hosts::pct {
namespace {

Argv pct(std::initializer_list<std::string> args) {
    Argv argv{"pct"};
    argv.insert(argv.end(), args);
    return argv;
}

std::string id(int vmid) {
    return std::to_string(vmid);
}

std::string octal(unsigned mode) {
    char text[16];
    std::snprintf(text, sizeof text, "%04o", mode);
    return text;
}

bool hasNul(const std::string& s) {
    return s.find('\0') != std::string::npos;
}

// pct's own complaints, told apart from the command's output by exit 255 and the exact words of
// pve-container ("container '101' not running!", "can only push files to a running CT").
bool notRunning(const net::RemoteOutcome& o, int vmid) {
    return o.exitCode == 255 && (mentions(o, "container '" + id(vmid) + "' not running") ||
                                 mentions(o, "can only push files to a running CT"));
}

}  // namespace

Argv unameArgv() {
    return {"uname", "-n"};
}
Argv pctListArgv() {
    return pct({"list"});
}
Argv pctConfigArgv(int vmid) {
    return pct({"config", id(vmid)});
}
Argv pctStatusArgv(int vmid) {
    return pct({"status", id(vmid)});
}
Argv pctStartArgv(int vmid) {
    return pct({"start", id(vmid)});
}
Argv pctStopArgv(int vmid) {
    return pct({"stop", id(vmid)});
}
Argv pctListSnapshotArgv(int vmid) {
    return pct({"listsnapshot", id(vmid)});
}
Argv pctDestroyArgv(int vmid) {
    return pct({"destroy", id(vmid), "--purge", "1", "--force", "1"});
}

Argv pctShutdownArgv(int vmid, std::chrono::seconds grace) {
    return pct(
        {"shutdown", id(vmid), "--timeout", std::to_string(grace.count()), "--forceStop", "1"});
}

Argv pctCreateArgv(const ContainerSpec& spec) {
    const auto& r = spec.resources;
    return pct({"create",
                id(spec.vmid),
                spec.osTemplate,
                "--hostname",
                spec.hostname,
                "--cores",
                std::to_string(r.cores),
                "--memory",
                std::to_string(r.memoryMiB),
                "--swap",
                std::to_string(r.swapMiB),
                "--rootfs",
                spec.storage + ":" + std::to_string(r.diskGiB),
                "--net0",
                proxmox::net0For(spec),
                "--unprivileged",
                "1",
                "--features",
                "nesting=1",
                "--onboot",
                "1",
                "--tags",
                proxmox::tagsWithMarker("", spec.owner)});
}

Argv pctSetArgv(int vmid, const std::vector<std::pair<std::string, std::string>>& options) {
    Argv argv = pct({"set", id(vmid)});
    for (const auto& [key, value] : options) {
        argv.push_back("--" + key);
        argv.push_back(value);
    }
    return argv;
}

Argv pctResizeArgv(int vmid, int diskGiB) {
    return pct({"resize", id(vmid), "rootfs", std::to_string(diskGiB) + "G"});
}
Argv pctSnapshotArgv(int vmid, const std::string& name) {
    return pct({"snapshot", id(vmid), name});
}
Argv pctRollbackArgv(int vmid, const std::string& name) {
    return pct({"rollback", id(vmid), name});
}

Argv pctExecArgv(int vmid, const Argv& command) {
    Argv argv = pct({"exec", id(vmid), "--"});
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

const std::string& pushScript() {
    // Positional parameters only: $1 vmid, $2 path, $3 mode, $4 owner, $5 group. mktemp makes
    // the node's copy 0600 by itself; the umask is 022 because pct exec hands it to the
    // container, where it decides the mode of the directories mkdir -p makes. The traps make
    // the node's temporary copy of the content go away however the script ends; the container's
    // temporary name carries this shell's pid so that concurrent writers never share one.
    static const std::string script =
        "set -u\n"
        "t=$(mktemp) || exit 1\n"
        "umask 022\n"
        "trap 'rm -f -- \"$t\"' EXIT\n"
        "trap 'exit 129' HUP\n"
        "trap 'exit 130' INT\n"
        "trap 'exit 143' TERM\n"
        "cat >\"$t\" || exit 1\n"
        "d=${2%/*}\n"
        "pct exec \"$1\" -- mkdir -p -- \"${d:-/}\" || exit\n"
        "g=$5\n"
        "if [ -z \"$g\" ]; then g=$(pct exec \"$1\" -- id -g -- \"$4\") || exit; fi\n"
        "n=\"$2.cv-tmp.$$\"\n"
        "pct push \"$1\" \"$t\" \"$n\" --perms \"$3\" --user \"$4\" --group \"$g\" &&\n"
        "  pct exec \"$1\" -- mv -f -- \"$n\" \"$2\" && exit 0\n"
        "rc=$?\n"
        "pct exec \"$1\" -- rm -f -- \"$n\" >/dev/null 2>&1\n"
        "exit \"$rc\"\n";
    return script;
}

Argv pctPushArgv(int vmid, const FileWrite& file) {
    return {"sh",       "-c",      pushScript(), "sh", id(vmid), file.path, octal(file.mode),
            file.owner, file.group};
}

Result<void> checkFileWrite(const FileWrite& file) {
    auto bad = [&](const std::string& why) {
        return Error::permanent("cannot write '" + file.path + "': " + why);
    };
    if (file.path.size() < 2 || file.path.front() != '/' || file.path.back() == '/') {
        return bad("the path must be absolute and name a file");
    }
    if (hasNul(file.path)) {
        return bad("the path contains NUL");
    }
    if (file.mode > 07777) {
        return bad("mode must be at most 07777");
    }
    static const std::regex name("^([a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})$");
    if (!std::regex_match(file.owner, name) ||
        (!file.group.empty() && !std::regex_match(file.group, name))) {
        return bad("owner and group must be user and group names ([a-z_][a-z0-9_-]*) or ids");
    }
    return {};
}

Result<ExecResult> pctExec(net::RemoteShell& shell, int vmid, const Argv& command,
                           std::chrono::milliseconds deadline) {
    if (command.empty() || command.front().empty()) {
        return Error::permanent("exec needs a command");
    }
    for (const auto& a : command) {
        if (hasNul(a)) {
            return Error::permanent("exec arguments cannot contain NUL");
        }
    }
    net::RemoteCommand c;
    c.argv = pctExecArgv(vmid, command);
    c.deadline = deadline;
    c.maxOutput = kMaxCapturedOutput;
    auto o = shell.run(c);
    // Arguments may carry secrets: messages name the program only.
    const std::string what = "pct exec of " + command.front();
    if (!o.ok() || !o.exitSignal.empty()) {
        return pctError(o, what);
    }
    if (notRunning(o, vmid)) {
        return Error::transient("is not running; cannot run " + command.front() + " in it");
    }
    if (o.exitCode == 255 && configMissing(o.err)) {
        return Error::transient("does not exist on this node; cannot run " + command.front());
    }
    return ExecResult{o.exitCode, std::move(o.out), std::move(o.err)};
}

Result<void> pctPush(net::RemoteShell& shell, int vmid, const FileWrite& file,
                     std::chrono::milliseconds deadline) {
    if (auto valid = checkFileWrite(file); !valid) {
        return valid;
    }
    net::RemoteCommand c;
    c.argv = pctPushArgv(vmid, file);
    c.input = file.content;
    c.deadline = deadline;
    auto o = shell.run(c);
    const std::string what = "writing " + file.path;
    if (!o.ok() || !o.exitSignal.empty()) {
        return pctError(o, what);
    }
    if (o.exitCode == 0) {
        return {};
    }
    if (notRunning(o, vmid)) {
        return Error::transient("is not running; cannot write " + file.path);
    }
    if (configMissing(o.err)) {
        return Error::transient("does not exist on this node; cannot write " + file.path);
    }
    // An owner or group the container does not know, a mode pct refuses: retrying cannot help.
    for (const char* p :
         {"failed to get uid for", "failed to get gid for", "no such user", "invalid mode"}) {
        if (mentions(o, p)) {
            return Error::permanent(what + " failed: " + lastLines(o.err));
        }
    }
    return pctError(o, what);
}

}  // namespace chainvisor::hosts::pct
