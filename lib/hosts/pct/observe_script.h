// One observation pass of a Proxmox node in one remote command: a fixed POSIX sh script, run as
//
//   sh -c SCRIPT sh PVENODE [KNOWN-LINE…]
//
// (values only as positional parameters, never spliced into the script), that prints, each part
// after a line of its own starting with "@@chainvisor ":
//
//   @@chainvisor node                 `uname -n`; the script stops here unless its short name,
//   pve2                              lower-cased, is PVENODE (the caller says why it failed)
//   @@chainvisor cpus                 `nproc`: what a container without a cores limit may use
//   8
//   @@chainvisor list                 `pct list` (or "@@chainvisor list-failed RC" and the end)
//   VMID       Status     Lock         Name
//   101        running                 val1
//   @@chainvisor config 101           `pct config 101`, for each listed container whose line
//   arch: amd64                       (trimmed) is not among the KNOWN-LINEs…
//   …
//   @@chainvisor config-exit 101 0    …followed by its exit status
//   @@chainvisor end
//
// The caller passes the list lines of the containers whose cached config is still good (the line
// is the same as when it was read, and it is not due for a periodic re-read): a steady pass thus
// reads no config at all, and a new, changed (status, lock, name), or invalidated container's
// config is read in the same command. pct's stderr passes through.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::hosts::pct {

const std::string& observeScript();
std::vector<std::string> observeArgv(std::string_view pveNode,
                                     const std::vector<std::string>& knownLines);

struct ObserveOutput {
    struct Config {
        std::string text;
        int exit = -1;  // -1: the exit line never came (the output was cut short)
    };

    bool sawNode = false;
    std::string node;  // uname -n as printed
    int cpus = 0;      // 0: unknown
    bool listed = false;
    int listExit = 0;  // pct list's exit status when it failed
    std::string list;  // pct list's output
    std::map<int, Config> configs;
    bool complete = false;  // the end marker came
};

ObserveOutput parseObserveOutput(std::string_view out);

}  // namespace chainvisor::hosts::pct
