// The container configuration schema (pve-container's $confdesc): every key a CT config may
// hold, with its type and checks, and the property-string formats of netN, rootfs, mpN, unusedN
// and features. Also which keys a running container takes at once (fastplug/hotplug) and which
// wait in [pve:pending] until the next start.
#pragma once

#include <string>
#include <string_view>

#include "params.h"

namespace pvesim {

inline constexpr int kMaxMountPoints = 256;
inline constexpr int kMaxNetworks = 32;
inline constexpr int kMaxUnused = 256;

// Every configurable key (rootfs, mp0…mp255, net0…net31, unused0…, memory, tags, …).
const Schema& ct_config_schema();

const Format& net_format();
const Format& rootfs_format();
const Format& mp_format();
const Format& unused_format();
const Format& features_format();

// The JSON type a config value is returned as (integers and booleans as numbers).
Type config_value_type(std::string_view key);

// Applied immediately even to a running CT (metadata such as tags and description, and cores).
bool is_fastplug(std::string_view key);
// Applied live to a running CT through cgroups/veth (cpulimit, cpuunits, memory, swap, netN).
bool is_hotplug(std::string_view key);
// Whether deleting `key` takes effect at once on a running CT.
bool is_hot_delete(std::string_view key);

bool is_mount_key(std::string_view key);  // rootfs or mpN
bool is_net_key(std::string_view key);    // netN

}  // namespace pvesim
