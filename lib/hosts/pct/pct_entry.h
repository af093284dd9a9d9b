// Entering containers on one Proxmox node with pct over SSH, for the REST provider (which
// cannot): `pct exec` and the atomic `pct push` of pct_commands.h, with the container named in
// front of every error.
#pragma once

#include <string>

#include "hosts/container_entry.h"
#include "net/remote_shell.h"

namespace chainvisor::hosts::pct {

class PctEntry final : public ContainerEntry {
public:
    // `where`: the spec host's name, for messages. `shell` reaches the node and outlives this.
    PctEntry(std::string where, net::RemoteShell& shell)
        : where_(std::move(where)), shell_(shell) {}

    Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline) override;
    Result<void> writeFile(int vmid, const FileWrite& file) override;

private:
    Error prefixed(int vmid, Error error) const;

    std::string where_;
    net::RemoteShell& shell_;
};

}  // namespace chainvisor::hosts::pct
