// Entering containers on one Proxmox node with pct over SSH, for the REST provider (which
// cannot): `pct exec` and the atomic `pct push` of pct_commands.h. Errors name no container;
// the provider puts where it is in front.
#pragma once

#include <string>

#include "hosts/container_entry.h"
#include "net/remote_shell.h"

namespace chainvisor::hosts::pct {

class PctEntry final : public ContainerEntry {
public:
    // `shell` reaches the node and outlives this.
    explicit PctEntry(net::RemoteShell& shell) : shell_(shell) {}

    Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline) override;
    Result<void> writeFile(int vmid, const FileWrite& file) override;

private:
    net::RemoteShell& shell_;
};

}  // namespace chainvisor::hosts::pct
