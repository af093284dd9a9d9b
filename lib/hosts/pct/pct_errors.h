// What a failed pct command means for the engine: an Error, Transient when retrying later can
// help, Permanent when something must change first. pct runs its task commands (create, start,
// shutdown, …) in the foreground and exits 0 on "TASK OK" or warnings, 255 on any error with the
// message on stderr (a worker's "TASK ERROR: msg" is printed there as "msg"). Parameter errors
// print "400 Parameter verification failed." and then one "key: message" line per parameter,
// followed by the usage text.
//
//   transport failure (RemoteOutcome::error)  Transient; Permanent when outcome.permanent (host
//                                             key, authentication)
//   killed by a signal                        Transient
//   "400 Parameter verification failed."      Permanent, naming the parameters
//   "CT is locked (…)", "got timeout"         Transient (a lock held by a task, or the config
//                                             file lock waited for in vain)
//   exit 127 (command not found)              Permanent: not a Proxmox VE node, or no pct in PATH
//   any other failure                         Transient, with stderr's last meaningful lines
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/result.h"
#include "net/remote_shell.h"

namespace chainvisor::hosts::pct {

// The lines of pct's stderr worth showing: trimmed, non-empty, each once, without a "TASK ERROR: "
// prefix, and nothing from the usage text on.
std::vector<std::string> meaningfulLines(std::string_view text);
// The last `count` meaningful lines joined by " | " ("" when there are none).
std::string lastLines(std::string_view text, std::size_t count = 3);

// "Configuration file 'nodes/pve2/lxc/101.conf' does not exist": no such container on this node.
bool configMissing(std::string_view err);
// The "key: message" lines after "400 Parameter verification failed." (none when absent).
std::vector<std::string> parameterErrors(std::string_view err);
// The command ran and its stderr contains `text`.
bool mentions(const net::RemoteOutcome& outcome, std::string_view text);

// Why `what` ("pct start 101") failed, classified as above. `outcome` must not be a success.
Error pctError(const net::RemoteOutcome& outcome, std::string_view what);

}  // namespace chainvisor::hosts::pct
