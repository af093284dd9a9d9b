// The cache of parsed container configs that keeps an observation pass cheap. /cluster/resources
// already says, for every guest in one request, what its config determines only coarsely (name,
// memory, cores, disk size, tags): that tuple, the "signature", is remembered with each cached
// config, and the config is fetched again only when
//
//   * the container is seen for the first time (or again, after it was gone),
//   * chainvisor changed it (create, update, resize, rollback invalidate the entry),
//   * its signature differs from the one seen when the config was fetched (someone changed it,
//     or it moved to another node), or
//   * it is among the `refresh` least recently fetched entries: a bounded trickle per pass, so a
//     change the signature cannot show (an IP address, a bridge) is noticed eventually.
//
// In a steady state a pass therefore costs the two listings plus `refresh` config reads, however
// many containers there are. Not thread-safe: ProxmoxHost guards it with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hosts/proxmox/ct_config.h"
#include "hosts/proxmox/resources.h"

namespace chainvisor::hosts::proxmox {

struct ResourceSignature {
    std::string node;
    std::string name;
    std::string tags;
    std::int64_t maxmem = 0;
    std::int64_t maxdisk = 0;
    std::int64_t maxcpuMilli = 0;

    friend bool operator==(const ResourceSignature&, const ResourceSignature&) = default;
};

ResourceSignature signatureOf(const ResourceEntry& entry);

class ConfigCache {
public:
    struct Entry {
        CtConfig config;
        ResourceSignature seen;  // the listing's view when the config was fetched
        std::uint64_t sequence = 0;
    };

    // The vmids of `listed` whose config is due this pass (see above), in that order.
    std::vector<int> due(const std::vector<ResourceEntry>& listed, int refresh) const;
    void store(int vmid, CtConfig config, ResourceSignature seen);
    void invalidate(int vmid);
    // How often `vmid` was invalidated: a config read while it changed is not stored (an
    // observation that read it before our update must not cache what the update replaced).
    std::uint64_t epoch(int vmid) const;
    void keepOnly(const std::set<int>& vmids);
    const Entry* find(int vmid) const;
    std::size_t size() const { return entries_.size(); }

private:
    std::map<int, Entry> entries_;
    std::map<int, std::uint64_t> epochs_;
    std::uint64_t next_ = 0;
};

}  // namespace chainvisor::hosts::proxmox
