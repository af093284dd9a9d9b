// The simulated cluster: its nodes, storages and containers, and every synchronous rule
// pve-container applies to them (existence, persistent locks, digests, normalisation, pending
// changes, snapshots, resize). Nothing here waits or knows about HTTP: the API layer calls the
// *_prepare functions when a request arrives and the *_commit functions when its task ends.
// Failures are thrown as ApiError with Proxmox VE's texts.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ct_config.h"
#include "params.h"
#include "property_string.h"

namespace pvesim {

struct Storage {
    std::string id;
    std::string type;  // "dir", "lvmthin"
    std::vector<std::string> content;
    std::uint64_t total = 0;
    bool has(const std::string& c) const;
};

struct NodeState {
    std::string name;
    bool online = true;
};

struct Container {
    int vmid = 0;
    std::string node;
    CtConfig conf;
    bool running = false;
    std::int64_t started_at = 0;
    std::uint32_t pid = 0;
    std::string pool;
};

// What a create request will write once its task finishes.
struct CreatePlan {
    CtConfig conf;
    bool start = false;
    std::string pool;
    std::string ostemplate;
};

struct ResizePlan {
    std::string disk;
    std::uint64_t old_size = 0;
    std::uint64_t new_size = 0;
    std::string volume;
};

class Cluster {
public:
    Cluster(const std::vector<std::string>& nodes, std::uint64_t seed);

    // --- nodes and storages ---
    const std::vector<NodeState>& nodes() const { return nodes_; }
    NodeState* node(const std::string& name);
    const NodeState* node(const std::string& name) const;
    const std::vector<Storage>& storages() const { return storages_; }
    const Storage* storage(const std::string& id) const;

    // --- containers ---
    const std::map<int, Container>& containers() const { return cts_; }
    Container* find(int vmid);
    // load_config on `node`: a missing CT, or one on another node, is
    // "Configuration file 'nodes/pve1/lxc/100.conf' does not exist".
    Container& load(const std::string& node, int vmid);
    static void check_lock(const Container& ct);  // "CT is locked (snapshot)"
    void check_vmid_unused(int vmid) const;       // "CT 100 already exists on node 'pve2'"
    int next_free_vmid() const;

    // --- create / destroy ---
    // Validates and normalises a create request (params already schema-checked; node and vmid
    // removed). Throws like the real create_vm. Does not change the cluster.
    CreatePlan prepare_create(int vmid, Params params);
    // create_and_lock_config: the CT exists from now on with `lock: create`.
    Container& reserve(const std::string& node, int vmid);
    void commit_create(Container& ct, CreatePlan plan);
    void remove(int vmid);

    // --- config ---
    // PUT …/config after locking: check_lock, digest, then pending/hotplug like
    // update_pct_config. `params` excludes node, vmid, digest, delete and revert.
    void update_config(Container& ct, const Params& params, const std::vector<std::string>& deletes,
                       const std::vector<std::string>& reverts, const std::string& digest);
    // vmconfig_apply_pending over every pending key (at start/reboot).
    void apply_all_pending(Container& ct);

    // --- lifecycle ---
    void set_running(Container& ct, bool running, std::int64_t now);

    // --- snapshots ---
    void snapshot_prepare(Container& ct, const std::string& name);
    void snapshot_commit(Container& ct, const std::string& name, const std::string& description,
                         std::int64_t now);
    void rollback_prepare(Container& ct, const std::string& name);
    void rollback_commit(Container& ct, const std::string& name);
    void delsnapshot_prepare(Container& ct, const std::string& name, bool force);
    void delsnapshot_commit(Container& ct, const std::string& name);
    static void unlock(Container& ct);

    // --- resize ---
    ResizePlan resize_prepare(Container& ct, const std::string& disk, const std::string& size,
                              const std::string& digest);
    void resize_commit(Container& ct, const ResizePlan& plan);

    // --- JSON views ---
    boost::json::object vmstatus(const Container& ct, std::int64_t now) const;
    boost::json::array resources(const std::string& type, std::int64_t now,
                                 bool include_guests) const;
    boost::json::array snapshot_list(const Container& ct) const;
    boost::json::array pending_list(const Container& ct) const;
    boost::json::object node_entry(const NodeState& n, std::int64_t now, bool stats) const;

    std::string random_hwaddr();
    std::uint64_t rootfs_size(const Container& ct) const;

private:
    void apply_pending(Container& ct, const std::set<std::string>* selection);
    void hotplug_pending(Container& ct, const std::set<std::string>& selection);
    static void cleanup_pending(CtConfig& conf);
    std::string normalise_net(const std::string& value);
    std::string create_mount(int vmid, const std::string& key, const std::string& value,
                             const std::string& default_storage, bool for_create);
    std::string next_disk_name(int vmid, const std::string& storage);
    static std::string unique_tags(const std::string& tags);

    std::vector<NodeState> nodes_;
    std::vector<Storage> storages_;
    std::map<int, Container> cts_;
    std::mt19937_64 rng_;
    std::int64_t boot_time_ = 0;
};

// "debian-12-standard_12.7-1_amd64.tar.zst" → "debian"; unknown → "unmanaged".
std::string ostype_from_template(const std::string& ostemplate);

}  // namespace pvesim
