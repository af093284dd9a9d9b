// Entering a container on a Proxmox node: running a command in it and putting a file there.
// The REST API cannot do either, so ProxmoxHost delegates them to one ContainerEntry per pveNode
// (pct exec / pct push over SSH: hosts/pct/pct_entry.h). The caller has already checked that the
// container is ours and lives on that node, and names the container in front of any error.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "hosts/host.h"
#include "hosts/result.h"

namespace chainvisor::hosts {

class ContainerEntry {
public:
    virtual ~ContainerEntry() = default;
    virtual Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                                    std::chrono::milliseconds deadline) = 0;
    virtual Result<void> writeFile(int vmid, const FileWrite& file) = 0;
};

}  // namespace chainvisor::hosts
