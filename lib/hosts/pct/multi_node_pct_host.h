// MultiNodePctHost: a spec host whose Proxmox nodes are managed over SSH without an API. pct acts
// only on the node it runs on, so each pveNode has its own PctHost (and its own connection);
// this facade is the one Host the engine sees.
//
//   observe()  observes every node at once and merges the containers. A node that cannot be
//              observed (unreachable, wrong machine, pct failing) goes to
//              ObservedHost::offlinePveNodes, so the engine acts on nothing there while the
//              other nodes carry on; when no node can be observed, observe() fails.
//   create, update          go to the PctHost of ContainerSpec::pveNode.
//   everything else         goes to the node where the vmid was last observed (or created);
//                           a vmid never seen is looked for on each node (pct config). A vmid
//                           seen on two nodes (separate Proxmox installations can both have a
//                           101) is refused: which one is meant cannot be told.
//
// Thread safety: as PctHost; the location map has its own mutex, never held across a call.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hosts/host.h"
#include "hosts/pct/pct_host.h"

namespace chainvisor::hosts::pct {

class MultiNodePctHost final : public Host {
public:
    // `nodes`: one PctHost per pveNode, all with the spec host's name.
    MultiNodePctHost(std::string name, std::vector<std::unique_ptr<PctHost>> nodes);

    const std::string& name() const override { return name_; }

    Result<plan::ObservedHost> observe() override;
    Result<void> create(const ContainerSpec& spec) override;
    Result<void> update(const ContainerSpec& spec,
                        const std::vector<plan::FieldChange>& changes) override;
    Result<void> resizeDisk(int vmid, int diskGiB) override;
    Result<void> start(int vmid) override;
    Result<void> stop(int vmid, std::chrono::seconds grace) override;
    Result<void> snapshot(int vmid, const std::string& name) override;
    Result<void> rollback(int vmid, const std::string& name) override;
    Result<void> destroy(int vmid) override;
    Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline) override;
    Result<void> writeFile(int vmid, const FileWrite& file) override;

private:
    PctHost* byNode(const std::string& pveNode) const;
    // The node holding vmid; nullptr when no node has it (every node answered).
    Result<PctHost*> locate(int vmid);
    // locate(), with a missing container as a Transient error.
    Result<PctHost*> require(int vmid, const std::string& what);
    Error unknownNode(int vmid, const std::string& pveNode) const;

    std::string name_;
    std::vector<std::unique_ptr<PctHost>> nodes_;

    mutable std::mutex mutex_;
    std::map<int, std::string> locations_;  // vmid → pveNode
    std::set<int> ambiguous_;               // vmids seen on more than one node
};

}  // namespace chainvisor::hosts::pct
