// The ownership marker: chainvisor.json in the container's directory, written by chainvisor when
// it creates (or adopts) a container. A container without a readable marker is not ours.
// It also records what LXC cannot hold: the requested cores (the cpuset is clamped to this
// machine's CPUs), swap where the kernel does not account it, and the disk size.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hosts/host.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::hosts::lxc {

struct Marker {
    plan::OwnerMarker owner;
    int vmid = 0;
    std::string hostname;
    spec::Resources resources;  // diskGiB is stored at the top level of the JSON
    std::optional<spec::Ipv4Cidr> ip;
    std::optional<spec::Ipv4Address> gateway;
    std::string bridge;
};

Marker markerFor(const ContainerSpec& spec);
std::string renderMarker(const Marker& marker);
// nullopt when `json` is not a marker (unparseable, or cluster/node/vmid missing).
std::optional<Marker> parseMarker(std::string_view json);

}  // namespace chainvisor::hosts::lxc
