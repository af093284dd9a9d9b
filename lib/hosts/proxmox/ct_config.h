// A container's configuration as GET /nodes/{node}/lxc/{vmid}/config returns it (JSON) or
// `pct config VMID` prints it (`key: value` lines), read back into spec values so the planner
// compares meaning, not Proxmox's normalised spelling. Both forms go through one interpretation:
//
//   net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:…,ip=10.0.0.5/24,gw=10.0.0.1,type=veth
//         → ip 10.0.0.5/24, gateway 10.0.0.1, bridge vmbr0 (ip=dhcp or manual: no ip)
//   rootfs: local-lvm:vm-100-disk-0,size=8G → 8 GiB (rounded down: never more than there is)
//   memory, swap: MiB (absent: Proxmox's default 512); cores absent: all the node's CPUs
//   hostname: lower-cased (absent: Proxmox names it CT<vmid>)
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hosts/host.h"
#include "spec/values.h"

namespace chainvisor::hosts::proxmox {

// A Proxmox property string "k=v,k=v"; an item without '=' has the key "" (rootfs' volume).
using Properties = std::vector<std::pair<std::string, std::string>>;
Properties parseProperties(std::string_view text);
std::string renderProperties(const Properties& properties);

// "8G", "512M", "1T", "4096K", or bytes → bytes.
std::optional<std::int64_t> diskSizeBytes(std::string_view text);
inline constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;
inline constexpr std::int64_t kMiB = 1024LL * 1024;

struct CtConfig {
    std::string hostname;
    std::optional<int> cores;  // absent: unlimited (all of the node's CPUs)
    int memoryMiB = 512;
    int swapMiB = 512;
    std::optional<int> diskGiB;  // rootfs size
    std::optional<spec::Ipv4Cidr> ip;
    std::optional<spec::Ipv4Address> gateway;
    std::string bridge;
    std::string net0;  // as given
    std::string tags;
    std::string lock;
    std::string digest;
};

CtConfig parseCtConfig(const boost::json::object& config, int vmid);
// `pct config VMID`'s output: "key: value" per line (sorted, without digest: pct does not print
// it). Also reads a raw /etc/pve/lxc/VMID.conf: '#' lines (the description) are skipped, and the
// first "[section]" (a snapshot, pending changes) ends the current configuration.
CtConfig parseCtConfigText(std::string_view text, int vmid);

// net0 of a new container: "name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1" (ip=dhcp when the
// spec has no address).
std::string net0For(const ContainerSpec& spec);
// `current` with bridge, ip and gw from the spec; every other key (hwaddr, type, firewall, tag…)
// kept, so the interface keeps its MAC address.
std::string net0Updated(std::string_view current, const ContainerSpec& spec);

}  // namespace chainvisor::hosts::proxmox
