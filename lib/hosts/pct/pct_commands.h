// The pct command lines chainvisor runs on a Proxmox node, in one place, as argv vectors: the
// transport quotes every element for the remote shell (net/shell_quote.h), so a value with
// blanks, quotes, '$', ';' or a newline reaches pct as one argument. Values that pct's option
// parser could take for an option (a positional argument starting with '-') are refused by the
// callers before a command is built.
//
// pctExec and pctPush enter a container; they hold no state so that any provider that reaches a
// node over SSH (this one, and the REST provider given SSH) can use them. Their errors do not
// name the container: callers put where it is in front.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "hosts/host.h"
#include "hosts/result.h"
#include "net/remote_shell.h"

namespace chainvisor::hosts::pct {

using Argv = std::vector<std::string>;

Argv unameArgv();                    // uname -n
Argv pctListArgv();                  // pct list
Argv pctConfigArgv(int vmid);        // pct config VMID
Argv pctStatusArgv(int vmid);        // pct status VMID
Argv pctStartArgv(int vmid);         // pct start VMID
Argv pctStopArgv(int vmid);          // pct stop VMID
Argv pctListSnapshotArgv(int vmid);  // pct listsnapshot VMID
Argv pctDestroyArgv(int vmid);       // pct destroy VMID --purge 1 --force 1
// pct shutdown VMID --timeout SECONDS --forceStop 1
Argv pctShutdownArgv(int vmid, std::chrono::seconds grace);
// pct create VMID OSTEMPLATE --hostname H --cores N --memory MiB --swap MiB
//   --rootfs STORAGE:GIB --net0 NET0 --unprivileged 1 --features nesting=1 --onboot 1
//   --tags chainvisor;cv-c-CLUSTER;cv-n-NODE
Argv pctCreateArgv(const ContainerSpec& spec);
// pct set VMID --KEY VALUE … (in the order given)
Argv pctSetArgv(int vmid, const std::vector<std::pair<std::string, std::string>>& options);
Argv pctResizeArgv(int vmid, int diskGiB);                // pct resize VMID rootfs <N>G
Argv pctSnapshotArgv(int vmid, const std::string& name);  // pct snapshot VMID NAME
Argv pctRollbackArgv(int vmid, const std::string& name);  // pct rollback VMID NAME
Argv pctExecArgv(int vmid, const Argv& command);          // pct exec VMID -- COMMAND…

// The fixed script that writes a file into a container, run as
//   sh -c SCRIPT sh VMID PATH MODE OWNER GROUP     (MODE octal "0640"; GROUP "" = OWNER's group)
// with the content on stdin, so the content never appears on a command line. It lands in a
// private temporary file on the node (removed on every way out), the parent directory is made
// inside the container (pct push does not), pct push copies the file next to its destination
// with its owner and mode, and a rename puts it in place: a reader in the container sees the old
// file or the new one, never a half-written one.
const std::string& pushScript();
Argv pctPushArgv(int vmid, const FileWrite& file);

// A FileWrite pct push can carry: an absolute path naming a file, mode ≤ 07777, owner and group
// user/group names (^[a-z_][a-z0-9_-]*$, at most 32) or numeric ids; group may be empty.
Result<void> checkFileWrite(const FileWrite& file);

// Runs `command` in the running container (pct exec VMID -- …); its exit code passes through.
// Transient when the container is not running or does not exist on the node, on a transport
// failure and when `deadline` passes.
Result<ExecResult> pctExec(net::RemoteShell& shell, int vmid, const Argv& command,
                           std::chrono::milliseconds deadline);
// Writes `file` into the running container with pushScript().
Result<void> pctPush(net::RemoteShell& shell, int vmid, const FileWrite& file,
                     std::chrono::milliseconds deadline = std::chrono::seconds(60));

}  // namespace chainvisor::hosts::pct
