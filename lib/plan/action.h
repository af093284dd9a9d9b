// An action: one idempotent step that moves one node toward its spec, with the reason that needs
// it and how much it disrupts. Actions of one node run in plan order; different nodes in parallel.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/cluster.h"

namespace chainvisor::plan {

enum class ActionKind {
    CreateContainer,  // make the container (stopped) with the spec's resources and network
    UpdateContainer,  // change container config; `changes` say which fields and whether live
    ResizeDisk,       // grow the root disk
    StartContainer,
    StopContainer,
    SnapshotContainer,  // before a disruptive change, named in `snapshot`
    DestroyContainer,
    InstallSoftware,  // install `version` of the network's software
    WriteConfig,      // render and write the node's config files
    StartService,
    RestartService,
    StopService,
    // After a restart for a change: wait until the node passes its health gate (ready, peers,
    // height rising, a validator's own seal) or roll it back to the sequence's snapshot.
    AwaitHealthy,
    // Never planned: the executor's answer to a failed health gate. Restores the container to
    // `snapshot` (which stops it) and starts it again.
    RollbackContainer,
};

// How much an action takes away while it runs. Ordered: a larger value disrupts more.
enum class Disruption {
    None,     // nothing stops (or it restores something that was down)
    Restart,  // the node's service or container goes down and comes back
    Stop,     // the node goes down and stays down (state: stopped)
    Replace,  // the container is rebuilt; identity kept, data may need re-sync
    Destroy,  // the container and its data are removed
};

struct FieldChange {
    std::string field;  // "memory", "cores", "hostname", …
    std::string from;
    std::string to;
    bool live = false;  // applies to a running container without a restart

    friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

struct Action {
    ActionKind kind = ActionKind::CreateContainer;
    std::string node;     // spec node name (or the owner marker's name for orphans)
    std::string host;     // spec host name
    std::string pveNode;  // empty for local
    int vmid = 0;
    Disruption disruption = Disruption::None;
    std::string reason;  // why, for humans: "vmid 107 missing on pve1"

    std::vector<FieldChange> changes;      // UpdateContainer
    std::optional<spec::Version> version;  // InstallSoftware
    std::string snapshot;                  // SnapshotContainer
    int diskGiB = 0;                       // ResizeDisk: the new size
    std::string configFingerprint;         // WriteConfig: what the written config will be

    friend bool operator==(const Action&, const Action&) = default;
};

std::string_view toString(ActionKind);
std::string_view toString(Disruption);

// One line for a plan listing, in fixed-width columns (formatPlan widens them to fit):
// "+ create          val1    vmid 101 on local         vmid 101 missing on local   …  [none]".
std::string describe(const Action& action);

}  // namespace chainvisor::plan
