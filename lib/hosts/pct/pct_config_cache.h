// The cache of parsed container configs that keeps an observation pass to one remote command and
// no `pct config` at all in a steady state (each is a Perl process start on the node). `pct list`
// already shows what changes most (status, lock, name); that line, as the observation script
// compares it, is remembered with each config, and the config is read again when
//
//   * the container is seen for the first time (or again, after it was gone),
//   * chainvisor changed it (create, update, resize, rollback invalidate the entry),
//   * its list line differs from the one seen when the config was read, or
//   * it is among the `refresh` least recently read entries: a bounded trickle per pass, so a
//     change the list cannot show (memory, an IP address, tags) is noticed eventually.
//
// Like proxmox/config_cache.h, for pct's listing. Not thread-safe: PctHost guards it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hosts/proxmox/ct_config.h"

namespace chainvisor::hosts::pct {

class PctConfigCache {
public:
    struct Entry {
        proxmox::CtConfig config;
        std::string line;  // the list line when the config was read
        std::uint64_t sequence = 0;
    };

    // The lines whose configs may be skipped this pass: every entry's but the `refresh` least
    // recently read ones'.
    std::vector<std::string> knownLines(int refresh) const;
    void store(int vmid, proxmox::CtConfig config, std::string line);
    void invalidate(int vmid);
    // How often `vmid` was invalidated: a config read while it changed is not stored.
    std::uint64_t epoch(int vmid) const;
    std::map<int, std::uint64_t> epochs() const { return epochs_; }  // taken before a read
    void keepOnly(const std::set<int>& vmids);
    const Entry* find(int vmid) const;
    std::map<int, proxmox::CtConfig> configs() const;  // a copy of every entry's config
    std::size_t size() const { return entries_.size(); }

private:
    std::map<int, Entry> entries_;
    std::map<int, std::uint64_t> epochs_;
    std::uint64_t next_ = 0;
};

}  // namespace chainvisor::hosts::pct
