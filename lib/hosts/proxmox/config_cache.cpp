#include "hosts/proxmox/config_cache.h"

#include <algorithm>
#include <cmath>

namespace chainvisor::hosts::proxmox {

ResourceSignature signatureOf(const ResourceEntry& e) {
    return ResourceSignature{e.node,   e.name,    e.tags,
                             e.maxmem, e.maxdisk, std::llround(e.maxcpu * 1000.0)};
}

std::vector<int> ConfigCache::due(const std::vector<ResourceEntry>& listed, int refresh) const {
    std::vector<int> out;
    std::vector<std::pair<std::uint64_t, int>> fresh;  // (sequence, vmid) of valid entries
    for (const auto& e : listed) {
        const auto it = entries_.find(e.vmid);
        if (it == entries_.end() || !(it->second.seen == signatureOf(e))) {
            out.push_back(e.vmid);
        } else {
            fresh.emplace_back(it->second.sequence, e.vmid);
        }
    }
    std::sort(fresh.begin(), fresh.end());
    const auto n = std::min(fresh.size(), static_cast<std::size_t>(std::max(refresh, 0)));
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(fresh[i].second);
    }
    return out;
}

void ConfigCache::store(int vmid, CtConfig config, ResourceSignature seen) {
    entries_[vmid] = Entry{std::move(config), std::move(seen), ++next_};
}

void ConfigCache::invalidate(int vmid) {
    entries_.erase(vmid);
    ++epochs_[vmid];
}

std::uint64_t ConfigCache::epoch(int vmid) const {
    const auto it = epochs_.find(vmid);
    return it == epochs_.end() ? 0 : it->second;
}

void ConfigCache::keepOnly(const std::set<int>& vmids) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        it = vmids.contains(it->first) ? std::next(it) : entries_.erase(it);
    }
}

const ConfigCache::Entry* ConfigCache::find(int vmid) const {
    const auto it = entries_.find(vmid);
    return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace chainvisor::hosts::proxmox
