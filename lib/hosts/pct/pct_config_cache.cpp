#include "hosts/pct/pct_config_cache.h"

#include <algorithm>
#include <utility>

namespace chainvisor::hosts::pct {

std::vector<std::string> PctConfigCache::knownLines(int refresh) const {
    std::vector<std::pair<std::uint64_t, const std::string*>> bySequence;
    for (const auto& [vmid, entry] : entries_) {
        bySequence.emplace_back(entry.sequence, &entry.line);
    }
    std::sort(bySequence.begin(), bySequence.end());
    const auto skip = std::min(bySequence.size(), static_cast<std::size_t>(std::max(refresh, 0)));
    std::vector<std::string> out;
    for (std::size_t i = skip; i < bySequence.size(); ++i) {
        out.push_back(*bySequence[i].second);
    }
    return out;
}

void PctConfigCache::store(int vmid, proxmox::CtConfig config, std::string line) {
    entries_[vmid] = Entry{std::move(config), std::move(line), ++next_};
}

void PctConfigCache::invalidate(int vmid) {
    entries_.erase(vmid);
    ++epochs_[vmid];
}

std::uint64_t PctConfigCache::epoch(int vmid) const {
    const auto it = epochs_.find(vmid);
    return it == epochs_.end() ? 0 : it->second;
}

void PctConfigCache::keepOnly(const std::set<int>& vmids) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        it = vmids.contains(it->first) ? std::next(it) : entries_.erase(it);
    }
}

const PctConfigCache::Entry* PctConfigCache::find(int vmid) const {
    const auto it = entries_.find(vmid);
    return it == entries_.end() ? nullptr : &it->second;
}

std::map<int, proxmox::CtConfig> PctConfigCache::configs() const {
    std::map<int, proxmox::CtConfig> out;
    for (const auto& [vmid, entry] : entries_) {
        out.emplace(vmid, entry.config);
    }
    return out;
}

}  // namespace chainvisor::hosts::pct
