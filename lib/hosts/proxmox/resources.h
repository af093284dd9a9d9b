// The two listings one observation pass is built on: GET /cluster/resources?type=vm (every guest
// of the Proxmox cluster with node, status, lock, tags, name and sizes, in one request) and
// GET /nodes (each node online or not).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace chainvisor::hosts::proxmox {

struct ResourceEntry {
    int vmid = 0;
    std::string type;    // "lxc" or "qemu"
    std::string node;    // where it lives
    std::string status;  // running, stopped; "unknown" until pvestatd has reported (~10 s)
    std::string name;
    std::string lock;
    std::string tags;
    std::int64_t maxmem = 0;   // bytes
    std::int64_t maxdisk = 0;  // bytes
    double maxcpu = 0;
};

// Guests with a usable vmid and node; anything malformed is skipped.
std::vector<ResourceEntry> parseResources(const boost::json::value& data);

struct NodeEntry {
    std::string node;
    std::string status;  // online, offline, unknown
};

std::vector<NodeEntry> parseNodes(const boost::json::value& data);

}  // namespace chainvisor::hosts::proxmox
