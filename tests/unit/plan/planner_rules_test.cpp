// The planner's per-node rules: blind hosts, holds, ownership, create, container/software/config/
// power changes, absent nodes, orphans and the unchanged cluster.
#include <algorithm>
#include <functional>

#include "builder.h"

namespace chainvisor::plan {
namespace {

using namespace testing;
using AK = ActionKind;
using Kinds = std::vector<ActionKind>;

// Two Proxmox hosts: val1..val3 on pve1, val4 on pve2, all converged.
spec::Cluster fourValidatorsTwoHosts() {
    spec::Cluster cluster = makeCluster();
    addHost(cluster, "pve1", {"pve1"});
    addHost(cluster, "pve2", {"pve2"});
    addNetwork(cluster, "devnet");
    for (int i = 1; i <= 3; ++i) {
        addNode(cluster, "val" + std::to_string(i), "devnet", spec::Role::Validator, "pve1",
                100 + i);
    }
    addNode(cluster, "val4", "devnet", spec::Role::Validator, "pve2", 104);
    return cluster;
}

void requireAllOf(const Plan& p, const std::string& node, Disruption disruption) {
    for (const Action* action : actionsOf(p, node)) {
        CHECK(action->disruption == disruption);
    }
}

// ───────────────────────────── rule 1: never act while blind ─────────────────────────────

TEST_CASE("blind: an unreachable host gets no action and its validators count as down",
          "[plan][blind]") {
    spec::Cluster cluster = fourValidatorsTwoHosts();
    Observed world = converged(cluster);
    world.hosts["pve2"].reachable = false;
    world.hosts["pve2"].error = "connection refused";
    world.hosts["pve2"].containers.clear();           // nothing is known there
    cluster.networks[0].version = version("24.4.0");  // every validator wants an upgrade

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(waitingReason(p, "val4") == "host pve2 unreachable: connection refused");
    // val4 cannot be proven up, so the single unit of budget is used.
    CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val4 down (1 of 1)");
    CHECK(waitingReason(p, "val2") == "validator budget of devnet used: val4 down (1 of 1)");
    CHECK(waitingReason(p, "val3") == "validator budget of devnet used: val4 down (1 of 1)");
    CHECK(p.notices.empty());
}

TEST_CASE("blind: a missing container on an unreachable host is not created", "[plan][blind]") {
    spec::Cluster cluster = fourValidatorsTwoHosts();
    Observed world = emptyWorld(cluster);
    world.hosts["pve2"].reachable = false;
    world.hosts["pve2"].error = "timeout after 10s";

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(kindsOf(p, "val4").empty());
    CHECK(waitingReason(p, "val4") == "host pve2 unreachable: timeout after 10s");
    CHECK(nodesInOrder(p) == std::vector<std::string>{"val1", "val2", "val3"});
}

TEST_CASE("blind: a host missing from the observation is blind", "[plan][blind]") {
    spec::Cluster cluster = fourValidatorsTwoHosts();
    Observed world = converged(cluster);
    world.hosts.erase("pve2");
    containerOf(world, cluster, "val1").power = PowerState::Stopped;  // a restore elsewhere

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(waitingReason(p, "val4") == "host pve2 not observed");
    // Restoring actions elsewhere still happen: nothing is moved *because of* the blind host.
    CHECK(kindsOf(p, "val1") == Kinds{AK::StartContainer, AK::StartService});
    CHECK(nodesInOrder(p) == std::vector<std::string>{"val1"});
}

TEST_CASE("blind: an offline Proxmox node is blind, its siblings are not", "[plan][blind]") {
    spec::Cluster cluster = makeCluster();
    addHost(cluster, "pvc", {"pve1", "pve2"});
    addNetwork(cluster, "devnet");
    addNode(cluster, "val1", "devnet", spec::Role::Validator, "pvc", 101, "pve1");
    addNode(cluster, "val2", "devnet", spec::Role::Validator, "pvc", 102, "pve2");
    Observed world = emptyWorld(cluster);
    world.hosts["pvc"].offlinePveNodes = {"pve2"};

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(kindsOf(p, "val1").front() == AK::CreateContainer);
    CHECK(kindsOf(p, "val2").empty());
    CHECK(waitingReason(p, "val2") == "pve2 offline");
}

// ───────────────────────── rule 2: paused, in flight, backoff, failed ─────────────────────────

struct HoldCase {
    const char* name;
    std::function<void(Observed&, const spec::Cluster&)> apply;
    std::string reason;  // "" → not held: the change is planned
};

TEST_CASE("holds: paused, in flight, failed, backoff and locks keep a node's changes waiting",
          "[plan][hold]") {
    const std::vector<HoldCase> cases = {
        {"paused all", [](Observed& w, const spec::Cluster&) { w.pausedAll = true; }, "paused"},
        {"paused node", [](Observed& w, const spec::Cluster&) { w.pausedNodes.insert("val1"); },
         "paused"},
        {"other node paused",
         [](Observed& w, const spec::Cluster&) { w.pausedNodes.insert("val2"); }, ""},
        {"in flight",
         [](Observed& w, const spec::Cluster&) { w.nodes["val1"].operationInFlight = true; },
         "operation in progress"},
        {"permanent failure",
         [](Observed& w, const spec::Cluster&) { w.nodes["val1"].permanentFailure = true; },
         "failed permanently; fix the spec or the host"},
        {"backoff ahead",
         [](Observed& w, const spec::Cluster&) {
             w.nodes["val1"].attempts = 3;
             w.nodes["val1"].retryAfter = fixedNow(std::chrono::seconds(30));
         },
         "retrying after backoff (attempt 3)"},
        {"backoff passed",
         [](Observed& w, const spec::Cluster&) {
             w.nodes["val1"].attempts = 3;
             w.nodes["val1"].retryAfter = fixedNow(std::chrono::seconds(-1));
         },
         ""},
        {"backoff ends now",
         [](Observed& w, const spec::Cluster&) {
             w.nodes["val1"].attempts = 1;
             w.nodes["val1"].retryAfter = fixedNow();
         },
         ""},
        {"backup lock",
         [](Observed& w, const spec::Cluster& c) { containerOf(w, c, "val1").lock = "backup"; },
         "container locked (backup)"},
        {"snapshot lock",
         [](Observed& w, const spec::Cluster& c) { containerOf(w, c, "val1").lock = "snapshot"; },
         "container locked (snapshot)"},
    };
    for (const auto& row : cases) {
        DYNAMIC_SECTION(row.name) {
            spec::Cluster cluster = devnet(4);
            Observed world = converged(cluster);
            nodeOf(cluster, "val1").resources.memoryMiB = 8192;  // a live change is pending
            row.apply(world, cluster);

            const Plan p = plan(cluster, world, fixedNow());

            CHECK(waitingReason(p, "val1") == row.reason);
            if (row.reason.empty()) {
                CHECK(kindsOf(p, "val1") == Kinds{AK::UpdateContainer});
            } else {
                CHECK(p.actions.empty());
            }
        }
    }
}

TEST_CASE("holds: a held node that matches its spec is not reported as waiting", "[plan][hold]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.pausedAll = true;
    world.nodes["val2"].permanentFailure = true;
    world.nodes["val3"].retryAfter = fixedNow(std::chrono::seconds(60));
    containerOf(world, cluster, "val4").lock = "backup";

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(p.waiting.empty());
    CHECK(formatPlan(p) == "No changes: the cluster matches the spec.\n");
}

TEST_CASE("holds: an in-flight validator counts as down", "[plan][hold][budget]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val4"].operationInFlight = true;
    world.nodes["val1"].version = version("24.1.0");

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(waitingReason(p, "val1") == "validator budget of devnet used: val4 down (1 of 1)");
    CHECK(waitingReason(p, "val4").empty());  // nothing differs for val4
}

// ───────────────────────────── rule 3: ownership, placement, locks ─────────────────────────────

TEST_CASE("ownership: an unowned container is left alone unless adopt is set", "[plan][owner]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    containerOf(world, cluster, "val1").owner.reset();
    nodeOf(cluster, "val1").resources.memoryMiB = 8192;

    SECTION("adopt: false → notice, no action") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(p.waiting.empty());
        CHECK(noticesOf(p, "val1") ==
              std::vector<std::string>{"vmid 101 on pve1 exists but is not owned by chainvisor; "
                                       "set adopt: true to manage it"});
    }
    SECTION("adopt: true → managed, and marked as ours") {
        nodeOf(cluster, "val1").adopt = true;
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(kindsOf(p, "val1") == Kinds{AK::UpdateContainer});
        const Action& update = p.actions.front();
        CHECK(update.changes == std::vector<FieldChange>{{"owner", "", "lab/val1", true},
                                                         {"memory", "4096", "8192", true}});
        CHECK(update.reason ==
              "take ownership (adopt: true): mark as lab/val1, memory 4096 → 8192 MiB (live)");
        CHECK(update.disruption == Disruption::None);
        CHECK(p.notices.empty());
    }
}

TEST_CASE("ownership: a container marked for another node of this cluster needs adopt",
          "[plan][owner]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    containerOf(world, cluster, "val2").owner = OwnerMarker{"lab", "old2"};

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(noticesOf(p, "val2") ==
          std::vector<std::string>{
              "vmid 102 on pve1 is marked as node old2, not val2; set adopt: true to manage it"});
    // It is claimed by a spec node's vmid, so it is no orphan either.
    CHECK(noticesOf(p, "old2").empty());
}

TEST_CASE("ownership: another cluster's container is never touched, even with adopt",
          "[plan][owner]") {
    spec::Cluster cluster = devnet(4);
    cluster.policy.deletion = spec::DeletionPolicy::Delete;
    Observed world = converged(cluster);
    containerOf(world, cluster, "val1").owner = OwnerMarker{"prod", "validator-1"};
    nodeOf(cluster, "val1").adopt = true;
    nodeOf(cluster, "val1").resources.cores = 8;
    SECTION("desired running") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(noticesOf(p, "val1") ==
              std::vector<std::string>{"vmid 101 on pve1 belongs to cluster prod (node "
                                       "validator-1); left alone: choose another vmid"});
    }
    SECTION("desired absent with deletion: delete") {
        nodeOf(cluster, "val1").state = spec::DesiredState::Absent;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(p.notices.empty());
    }
}

TEST_CASE("placement: a container on another Proxmox node is not migrated", "[plan][owner]") {
    spec::Cluster cluster = makeCluster();
    addHost(cluster, "pvc", {"pve1", "pve2"});
    addNetwork(cluster, "devnet");
    addNode(cluster, "val1", "devnet", spec::Role::Validator, "pvc", 101, "pve1");
    Observed world = converged(cluster);
    containerOf(world, cluster, "val1").pveNode = "pve2";

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());  // in particular: no second container on pve1
    CHECK(noticesOf(p, "val1") ==
          std::vector<std::string>{"vmid 101 is on pve2, not on pve1 as the spec says; migration "
                                   "is out of scope: move it or change pveNode"});
}

// ───────────────────────────── rule 4: create ─────────────────────────────

TEST_CASE("create: a missing running node is created, provisioned and started", "[plan][create]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    removeContainer(world, cluster, "val3");
    world.nodes.erase("val3");

    const Plan p = plan(cluster, world, fixedNow());

    // Software and config go in once the container runs, before the service first starts.
    REQUIRE(kindsOf(p, "val3") == Kinds{AK::CreateContainer, AK::StartContainer,
                                        AK::InstallSoftware, AK::WriteConfig, AK::StartService});
    for (const Action& a : p.actions) {
        CHECK(a.node == "val3");
        CHECK(a.host == "pve1");
        CHECK(a.pveNode == "pve1");
        CHECK(a.vmid == 103);
        CHECK(a.disruption == Disruption::None);
    }
    CHECK(p.actions[0].reason == "vmid 103 missing on pve1");
    CHECK(p.actions[1].reason == "new container, spec says running");
    CHECK(p.actions[2].version == version("24.3.0"));
    CHECK(p.actions[2].reason == "version none → 24.3.0");
    CHECK(p.actions[3].configFingerprint == desiredConfigFingerprint(cluster, cluster.nodes[2]));
    CHECK(p.actions[4].reason == "new container, spec says running");
    CHECK(p.waiting.empty());
    CHECK(p.notices.empty());
}

TEST_CASE("create: a missing stopped node is created but neither provisioned nor started",
          "[plan][create]") {
    spec::Cluster cluster = makeCluster();
    addHost(cluster, "local");
    addNetwork(cluster, "devnet");
    addNode(cluster, "val1", "devnet", spec::Role::Validator, "local", 101).state =
        spec::DesiredState::Stopped;

    const Plan p = plan(cluster, emptyWorld(cluster), fixedNow());

    // Installs and file writes need a running container: they wait until the node runs.
    REQUIRE(kindsOf(p, "val1") == Kinds{AK::CreateContainer});
    CHECK(p.actions[0].reason == "vmid 101 missing on local");
    CHECK(p.actions[0].host == "local");
    CHECK(p.actions[0].pveNode.empty());
    requireAllOf(p, "val1", Disruption::None);
}

// ───────────────────────────── rule 5a: container config ─────────────────────────────

TEST_CASE("container: memory and swap change live on a running container", "[plan][container]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    nodeOf(cluster, "val2").resources.memoryMiB = 8192;
    nodeOf(cluster, "val2").resources.swapMiB = 1024;

    const Plan p = plan(cluster, world, fixedNow());

    REQUIRE(kindsOf(p, "val2") == Kinds{AK::UpdateContainer});
    const Action& a = p.actions.front();
    CHECK(a.changes == std::vector<FieldChange>{{"memory", "4096", "8192", true},
                                                {"swap", "512", "1024", true}});
    CHECK(a.reason == "memory 4096 → 8192 MiB (live), swap 512 → 1024 MiB (live)");
    CHECK(a.disruption == Disruption::None);
    CHECK(p.actions.size() == 1);
}

TEST_CASE("container: cores change restarts the container, with a snapshot first",
          "[plan][container]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    nodeOf(cluster, "val2").resources.cores = 4;

    SECTION("snapshotBeforeDisruptive: true") {
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(kindsOf(p, "val2") == Kinds{AK::SnapshotContainer, AK::StopContainer,
                                            AK::UpdateContainer, AK::StartContainer,
                                            AK::StartService, AK::AwaitHealthy});
        requireAllOf(p, "val2", Disruption::Restart);
        CHECK(p.actions[0].snapshot == "cv-20260314-101500");
        CHECK(p.actions[0].reason == "before restart: cores 2 → 4 (restart)");
        CHECK(p.actions[1].reason == "cores 2 → 4 (restart)");
        CHECK(p.actions[2].changes == std::vector<FieldChange>{{"cores", "2", "4", false}});
        CHECK(p.actions[2].reason == "cores 2 → 4 (restart)");
    }
    SECTION("snapshotBeforeDisruptive: false") {
        cluster.policy.snapshotBeforeDisruptive = false;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val2") == Kinds{AK::StopContainer, AK::UpdateContainer,
                                          AK::StartContainer, AK::StartService, AK::AwaitHealthy});
        requireAllOf(p, "val2", Disruption::Restart);
    }
}

TEST_CASE("container: hostname, ip, gateway and bridge changes need a restart",
          "[plan][container]") {
    struct Row {
        const char* field;
        std::function<void(spec::Node&)> change;
        FieldChange expected;
    };
    const std::vector<Row> rows = {
        {"hostname",
         [](spec::Node& n) { n.hostname = "validator-2"; },
         {"hostname", "val2", "validator-2", false}},
        {"ip",
         [](spec::Node& n) { n.ip = spec::Ipv4Cidr::parse("10.10.0.50/24"); },
         {"ip", "10.10.0.104/24", "10.10.0.50/24", false}},
        {"ip prefix",
         [](spec::Node& n) { n.ip->prefix = 16; },
         {"ip", "10.10.0.104/24", "10.10.0.104/16", false}},
        {"gateway",
         [](spec::Node& n) { n.gateway = spec::Ipv4Address::parse("10.10.0.254"); },
         {"gateway", "10.10.0.1", "10.10.0.254", false}},
        {"bridge", [](spec::Node& n) { n.bridge = "vmbr1"; }, {"bridge", "vmbr0", "vmbr1", false}},
    };
    for (const auto& row : rows) {
        DYNAMIC_SECTION(row.field) {
            spec::Cluster cluster = devnet(4);
            Observed world = converged(cluster);
            row.change(nodeOf(cluster, "val2"));
            // The ip is part of every peer's config: keep the test on the container alone.
            refreshFingerprints(world, cluster);

            const Plan p = plan(cluster, world, fixedNow());

            REQUIRE(kindsOf(p, "val2") == Kinds{AK::SnapshotContainer, AK::StopContainer,
                                                AK::UpdateContainer, AK::StartContainer,
                                                AK::StartService, AK::AwaitHealthy});
            CHECK(p.actions[2].changes == std::vector<FieldChange>{row.expected});
            requireAllOf(p, "val2", Disruption::Restart);
            CHECK(nodesInOrder(p) == std::vector<std::string>{"val2"});
        }
    }
}

TEST_CASE("container: hostnames compare case-insensitively, addresses by value",
          "[plan][container]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    containerOf(world, cluster, "val1").hostname = "VAL1";
    containerOf(world, cluster, "val2").ip = spec::Ipv4Cidr::parse("10.10.0.104/24");

    CHECK(plan(cluster, world, fixedNow()).actions.empty());
}

TEST_CASE("container: on a stopped container every change is a plain update", "[plan][container]") {
    spec::Cluster cluster = devnet(4);
    SECTION("desired stopped: update only") {
        nodeOf(cluster, "val3").state = spec::DesiredState::Stopped;
        Observed world = converged(cluster);
        nodeOf(cluster, "val3").resources.cores = 4;
        nodeOf(cluster, "val3").resources.memoryMiB = 8192;
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(kindsOf(p, "val3") == Kinds{AK::UpdateContainer});
        CHECK(p.actions[0].reason == "memory 4096 → 8192 MiB, cores 2 → 4");
        CHECK(p.actions[0].disruption == Disruption::None);
    }
    SECTION("desired running: update, then start") {
        Observed world = converged(cluster);
        containerOf(world, cluster, "val3").power = PowerState::Stopped;
        world.nodes["val3"].service = ServiceState::Inactive;
        nodeOf(cluster, "val3").resources.cores = 4;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val3") ==
              Kinds{AK::UpdateContainer, AK::StartContainer, AK::StartService});
        requireAllOf(p, "val3", Disruption::None);
    }
}

TEST_CASE("container: disks grow live and never shrink", "[plan][container]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    SECTION("grow") {
        nodeOf(cluster, "val1").resources.diskGiB = 32;
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(kindsOf(p, "val1") == Kinds{AK::ResizeDisk});
        CHECK(p.actions[0].diskGiB == 32);
        CHECK(p.actions[0].reason == "disk 16 → 32 GiB (live)");
        CHECK(p.actions[0].disruption == Disruption::None);
    }
    SECTION("shrink") {
        nodeOf(cluster, "val1").resources.diskGiB = 10;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(p.waiting.empty());
        CHECK(noticesOf(p, "val1") ==
              std::vector<std::string>{"disk cannot shrink (16 → 10 GiB); set disk back to 16 or "
                                       "recreate the container"});
    }
}

// ───────────────────────────── rules 5b, 5c: software and config ─────────────────────────────

TEST_CASE("software: a version upgrade installs and restarts the service", "[plan][software]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val2"].version = version("24.1.0");

    const Plan p = plan(cluster, world, fixedNow());

    REQUIRE(kindsOf(p, "val2") == Kinds{AK::SnapshotContainer, AK::InstallSoftware,
                                        AK::RestartService, AK::AwaitHealthy});
    requireAllOf(p, "val2", Disruption::Restart);
    CHECK(p.actions[1].version == version("24.3.0"));
    CHECK(p.actions[1].reason == "version 24.1.0 → 24.3.0 (restart)");
    CHECK(p.actions[2].reason == "version 24.1.0 → 24.3.0 (restart)");
    CHECK(p.actions[0].reason == "before restart: version 24.1.0 → 24.3.0 (restart)");
}

TEST_CASE("software: not installed on a running container: install, configure, start",
          "[plan][software]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val2"] = ObservedNode{};
    world.nodes["val2"].name = "val2";
    world.nodes["val2"].service = ServiceState::Inactive;

    const Plan p = plan(cluster, world, fixedNow());

    REQUIRE(kindsOf(p, "val2") == Kinds{AK::InstallSoftware, AK::WriteConfig, AK::StartService});
    requireAllOf(p, "val2", Disruption::None);
    CHECK(p.actions[0].reason == "version none → 24.3.0");
    CHECK(p.actions[2].reason == "service inactive, spec says running");
}

TEST_CASE("config: a changed fingerprint rewrites the config and restarts", "[plan][software]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val2"].configFingerprint = "0123456789abcdef";
    const std::string want = desiredConfigFingerprint(cluster, nodeOf(cluster, "val2"));

    const Plan p = plan(cluster, world, fixedNow());

    REQUIRE(kindsOf(p, "val2") ==
            Kinds{AK::SnapshotContainer, AK::WriteConfig, AK::RestartService, AK::AwaitHealthy});
    CHECK(p.actions[1].configFingerprint == want);
    CHECK(p.actions[1].reason == "config 01234567 → " + want.substr(0, 8) + " (restart)");
    requireAllOf(p, "val2", Disruption::Restart);
}

TEST_CASE("software: version, config and container changes share one snapshot and one restart",
          "[plan][software]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val2"].version = version("24.1.0");
    world.nodes["val2"].configFingerprint = "";

    SECTION("version + config") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val2") == Kinds{AK::SnapshotContainer, AK::InstallSoftware,
                                          AK::WriteConfig, AK::RestartService, AK::AwaitHealthy});
    }
    SECTION("version + config + cores: the container restart is the service restart") {
        nodeOf(cluster, "val2").resources.cores = 4;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val2") == Kinds{AK::SnapshotContainer, AK::InstallSoftware,
                                          AK::WriteConfig, AK::StopContainer, AK::UpdateContainer,
                                          AK::StartContainer, AK::StartService, AK::AwaitHealthy});
        requireAllOf(p, "val2", Disruption::Restart);
    }
    SECTION("version + live memory: memory applied live before the restart") {
        nodeOf(cluster, "val2").resources.memoryMiB = 6144;
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(kindsOf(p, "val2") == Kinds{AK::SnapshotContainer, AK::UpdateContainer,
                                            AK::InstallSoftware, AK::WriteConfig,
                                            AK::RestartService, AK::AwaitHealthy});
        CHECK(p.actions[1].changes == std::vector<FieldChange>{{"memory", "4096", "6144", true}});
    }
}

// ───────────────────────────── rule 5d: power ─────────────────────────────

TEST_CASE("power: a stopped container that should run is started", "[plan][power]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    containerOf(world, cluster, "val1").power = PowerState::Stopped;
    world.nodes["val1"].service = ServiceState::Inactive;

    const Plan p = plan(cluster, world, fixedNow());

    REQUIRE(kindsOf(p, "val1") == Kinds{AK::StartContainer, AK::StartService});
    CHECK(p.actions[0].reason == "container stopped, spec says running");
    requireAllOf(p, "val1", Disruption::None);
}

TEST_CASE("power: a failed or inactive service is healed", "[plan][power]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.nodes["val1"].service = ServiceState::Failed;
    world.nodes["val2"].service = ServiceState::Inactive;

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(kindsOf(p, "val1") == Kinds{AK::RestartService});
    CHECK(actionsOf(p, "val1")[0]->reason == "service failed, spec says running");
    CHECK(kindsOf(p, "val2") == Kinds{AK::StartService});
    CHECK(actionsOf(p, "val2")[0]->reason == "service inactive, spec says running");
    requireAllOf(p, "val1", Disruption::None);
    requireAllOf(p, "val2", Disruption::None);
}

TEST_CASE("power: desired stopped stops service and container", "[plan][power]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    nodeOf(cluster, "val4").state = spec::DesiredState::Stopped;

    const Plan p = plan(cluster, world, fixedNow());

    REQUIRE(kindsOf(p, "val4") == Kinds{AK::StopService, AK::StopContainer});
    CHECK(p.actions[0].reason == "container running, spec says stopped");
    requireAllOf(p, "val4", Disruption::Stop);
}

TEST_CASE("power: an unknown power state waits for a clear observation", "[plan][power]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    containerOf(world, cluster, "val1").power = PowerState::Unknown;

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(waitingReason(p, "val1") == "container power state unknown");
}

// ───────────────────────────── rules 6, 7: absent and orphans ─────────────────────────────

TEST_CASE("absent: orphan policy leaves the container, delete policy destroys it",
          "[plan][absent]") {
    spec::Cluster cluster = devnet(5);
    Observed world = converged(cluster);
    nodeOf(cluster, "val5").state = spec::DesiredState::Absent;
    refreshFingerprints(world, cluster);  // the peers no longer list val5

    SECTION("policy.deletion: orphan") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(noticesOf(p, "val5") ==
              std::vector<std::string>{"absent in spec; left in place (policy.deletion: orphan)"});
    }
    SECTION("policy.deletion: delete, running") {
        cluster.policy.deletion = spec::DeletionPolicy::Delete;
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(kindsOf(p, "val5") == Kinds{AK::StopContainer, AK::DestroyContainer});
        CHECK(p.actions[1].reason == "absent in spec (policy.deletion: delete)");
        CHECK(p.actions[1].vmid == 105);
        requireAllOf(p, "val5", Disruption::Destroy);
    }
    SECTION("policy.deletion: delete, stopped") {
        cluster.policy.deletion = spec::DeletionPolicy::Delete;
        containerOf(world, cluster, "val5").power = PowerState::Stopped;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val5") == Kinds{AK::DestroyContainer});
    }
    SECTION("missing or not owned: nothing") {
        cluster.policy.deletion = spec::DeletionPolicy::Delete;
        containerOf(world, cluster, "val5").owner.reset();
        CHECK(plan(cluster, world, fixedNow()) == Plan{});
        removeContainer(world, cluster, "val5");
        CHECK(plan(cluster, world, fixedNow()) == Plan{});
    }
}

TEST_CASE("orphans: owned containers that the spec no longer names", "[plan][orphan]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    ObservedContainer orphan;
    orphan.vmid = 150;
    orphan.pveNode = "pve1";
    orphan.power = PowerState::Running;
    orphan.owner = OwnerMarker{"lab", "old1"};
    ObservedContainer foreign = orphan;
    foreign.vmid = 160;
    foreign.owner = OwnerMarker{"prod", "old1"};
    ObservedContainer unowned = orphan;
    unowned.vmid = 170;
    unowned.owner.reset();
    for (const auto& c : {orphan, foreign, unowned}) {
        world.hosts["pve1"].containers.push_back(c);
    }

    SECTION("policy.deletion: delete → stop and destroy, named by the marker") {
        cluster.policy.deletion = spec::DeletionPolicy::Delete;
        const Plan p = plan(cluster, world, fixedNow());
        REQUIRE(p.actions.size() == 2);
        CHECK(kindsOf(p, "old1") == Kinds{AK::StopContainer, AK::DestroyContainer});
        for (const Action& a : p.actions) {
            CHECK(a.vmid == 150);
            CHECK(a.host == "pve1");
            CHECK(a.pveNode == "pve1");
            CHECK(a.disruption == Disruption::Destroy);
            CHECK(a.reason == "not in the cluster file (policy.deletion: delete)");
        }
        CHECK(p.notices.empty());
    }
    SECTION("policy.deletion: orphan → a notice") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(p.notices == std::vector<Notice>{{"old1",
                                                "orphaned: not in the cluster file; vmid 150 on "
                                                "pve1 left in place (policy.deletion: orphan)"}});
    }
    SECTION("an orphan that is paused or locked waits") {
        cluster.policy.deletion = spec::DeletionPolicy::Delete;
        world.pausedNodes.insert("old1");
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(waitingReason(p, "old1") == "paused");
    }
}

TEST_CASE("orphans: a container marked as a spec node at another vmid is left in place",
          "[plan][orphan]") {
    spec::Cluster cluster = devnet(4);
    cluster.policy.deletion = spec::DeletionPolicy::Delete;
    Observed world = converged(cluster);
    ObservedContainer stale = containerOf(world, cluster, "val1");
    stale.vmid = 180;
    world.hosts["pve1"].containers.push_back(stale);

    const Plan p = plan(cluster, world, fixedNow());

    CHECK(p.actions.empty());
    CHECK(noticesOf(p, "val1") ==
          std::vector<std::string>{"vmid 180 on pve1 is marked as node val1, which the spec "
                                   "places at vmid 101 on pve1; left in place"});
}

// ───────────────────────────── rule 8: the unchanged cluster ─────────────────────────────

TEST_CASE("unchanged: a converged cluster plans nothing, whatever the listing order or case",
          "[plan][unchanged]") {
    spec::Cluster cluster = devnet(4, 2, 1);
    addHost(cluster, "local");
    addNetwork(cluster, "bitnet", "0.3.1", 1, spec::NetworkKind::Bitcell);
    addNode(cluster, "bc1", "bitnet", spec::Role::Miner, "local", 401);
    addNode(cluster, "bc2", "bitnet", spec::Role::Full, "local", 402).state =
        spec::DesiredState::Stopped;
    addNode(cluster, "gone", "devnet", spec::Role::Rpc, "pve1", 399).state =
        spec::DesiredState::Absent;
    cluster.nodes[0].config["min-gas-price"] = std::int64_t{0};
    cluster.nodes[0].config["bootnodes"] = std::vector<std::string>{"enode://a", "enode://b"};
    Observed world = converged(cluster);

    SECTION("as built") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p == Plan{});
        CHECK(formatPlan(p) == "No changes: the cluster matches the spec.\n");
    }
    SECTION("containers listed in another order, hostnames upper-case, health unknown") {
        auto& containers = world.hosts["pve1"].containers;
        std::reverse(containers.begin(), containers.end());
        std::rotate(containers.begin(), containers.begin() + 3, containers.end());
        for (auto& c : containers) {
            std::transform(c.hostname.begin(), c.hostname.end(), c.hostname.begin(),
                           [](char ch) { return static_cast<char>(std::toupper(ch)); });
        }
        world.nodes["val2"].health = Health::Unknown;
        CHECK(plan(cluster, world, fixedNow()) == Plan{});
    }
    SECTION("every time") {
        for (int i = 0; i < 3; ++i) {
            CHECK(plan(cluster, world, fixedNow(std::chrono::seconds(i * 3600))).empty());
        }
    }
}

TEST_CASE("determinism: the same inputs give the same plan, in any listing order",
          "[plan][determinism]") {
    spec::Cluster cluster = devnet(7, 2, 2);
    cluster.policy.budgets.globalConcurrent = 5;
    Observed world = converged(cluster);
    removeContainer(world, cluster, "val3");
    containerOf(world, cluster, "val5").power = PowerState::Stopped;
    world.nodes["sentry1"].version = version("24.1.0");
    world.nodes["val1"].version = version("24.1.0");
    world.nodes["rpc2"].service = ServiceState::Failed;
    nodeOf(cluster, "val6").resources.memoryMiB = 8192;

    const Plan first = plan(cluster, world, fixedNow());
    CHECK_FALSE(first.actions.empty());
    Observed shuffled = world;
    auto& containers = shuffled.hosts["pve1"].containers;
    std::reverse(containers.begin(), containers.end());
    CHECK(plan(cluster, shuffled, fixedNow()) == first);
    CHECK(plan(cluster, world, fixedNow()) == first);
    CHECK(formatPlan(plan(cluster, shuffled, fixedNow())) == formatPlan(first));
}

}  // namespace
}  // namespace chainvisor::plan

namespace chainvisor::plan {
namespace {

using namespace testing;
using AK = ActionKind;
using Kinds = std::vector<ActionKind>;

TEST_CASE("containers only: a host that cannot enter containers gets container actions only",
          "[plan][containers-only]") {
    spec::Cluster cluster = devnet(4);
    Observed world = converged(cluster);
    world.hosts.at("pve1").containersOnly = true;
    world.nodes.clear();  // nothing inside is observed there

    SECTION("converged: zero actions, validators count as up") {
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(p.actions.empty());
        CHECK(p.waiting.empty());
    }
    SECTION("a missing node is created and started, nothing installed") {
        removeContainer(world, cluster, "val3");
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val3") == Kinds{AK::CreateContainer, AK::StartContainer});
    }
    SECTION("a stopped container is started, no service step") {
        containerOf(world, cluster, "val2").power = PowerState::Stopped;
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(kindsOf(p, "val2") == Kinds{AK::StartContainer});
    }
    SECTION("a restart-class change still respects the validator budget") {
        for (auto& node : cluster.nodes) {
            node.resources.cores = 4;
        }
        const Plan p = plan(cluster, world, fixedNow());
        CHECK(nodesInOrder(p).size() == 1);
        const auto kinds = kindsOf(p, nodesInOrder(p)[0]);
        CHECK(kinds == Kinds{AK::SnapshotContainer, AK::StopContainer, AK::UpdateContainer,
                             AK::StartContainer});
        CHECK(p.waiting.size() == 3);
    }
}

}  // namespace
}  // namespace chainvisor::plan
