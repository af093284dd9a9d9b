// Is the machine an SSH connection reached the Proxmox node we mean? pct acts only on the node it
// runs on, so a wrong address (a swapped DNS record, a copy-pasted nodeAddresses entry) would
// make chainvisor manage another node's containers as if they were this one's. The node name is
// the machine's short host name, so `uname -n` ("pve2" or "pve2.example.com") is compared with
// the spec's pveNode without its domain and without regard to case.
#pragma once

#include <string>
#include <string_view>

namespace chainvisor::hosts::pct {

// "PVE2.example.com\n" → "pve2".
std::string shortNodeName(std::string_view unameOutput);

bool sameNode(std::string_view unameOutput, std::string_view pveNode);

}  // namespace chainvisor::hosts::pct
