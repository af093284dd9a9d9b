// MultiNodePctHost: one spec host over several Proxmox nodes, each with its own connection.
// Routing by pveNode and by where a vmid was seen, merging observations, and a node that cannot
// be observed (down, or the wrong machine) becoming blind without blinding the others.
#include <catch2/catch.hpp>

#include "fake_node.h"
#include "hosts/pct/multi_node_pct_host.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::pct;
using namespace chainvisor::hosts::pct::test;
using namespace std::chrono_literals;
using hosts::ErrorKind;

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

FakeCt val(const std::string& node) {
    FakeCt c;
    c.hostname = node;
    c.tags = "chainvisor;cv-c-prod;cv-n-" + node;
    return c;
}

struct World {
    FakeNode pve1{"pve1", "root@10.0.0.1:22"};
    FakeNode pve2{"pve2", "root@10.0.0.2:22"};
    ManualTiming timing;
    std::unique_ptr<MultiNodePctHost> host;

    World() {
        std::vector<std::unique_ptr<PctHost>> nodes;
        for (auto* n : {&pve1, &pve2}) {
            PctHostOptions o;
            o.name = "cluster-a";
            o.pveNode = n->uname;
            o.clusterName = "prod";
            nodes.push_back(std::make_unique<PctHost>(o, *n, timing));
        }
        host = std::make_unique<MultiNodePctHost>("cluster-a", std::move(nodes));
        pve1.cts[101] = val("val1");
        pve2.cts[102] = val("val2");
    }
};

hosts::ContainerSpec specFor(int vmid, const std::string& node, const std::string& pveNode) {
    hosts::ContainerSpec s;
    s.vmid = vmid;
    s.pveNode = pveNode;
    s.hostname = node;
    s.osTemplate = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
    s.storage = "local-lvm";
    s.bridge = "vmbr0";
    s.owner = plan::OwnerMarker{"prod", node};
    return s;
}

}  // namespace

TEST_CASE("observe merges the nodes' containers", "[pct][multi]") {
    World w;
    auto r = w.host->observe();
    REQUIRE(r.ok());
    const auto& h = r.value();
    CHECK(h.name == "cluster-a");
    CHECK(h.reachable);
    CHECK(h.offlinePveNodes.empty());
    REQUIRE(h.containers.size() == 2);
    CHECK(h.containers[0].vmid == 101);
    CHECK(h.containers[0].pveNode == "pve1");
    CHECK(h.containers[1].vmid == 102);
    CHECK(h.containers[1].pveNode == "pve2");
    CHECK(w.host->name() == "cluster-a");
    CHECK(w.host->entersContainers());
}

TEST_CASE("a node that cannot be observed is blind, the others carry on", "[pct][multi]") {
    World w;
    SECTION("unreachable") {
        w.pve2.always("observe", lost("connection timed out", false, true));
    }
    SECTION("the wrong machine behind its address") {
        w.pve2.uname = "pve1";
    }
    auto r = w.host->observe();
    REQUIRE(r.ok());
    CHECK(r.value().reachable);
    CHECK(r.value().offlinePveNodes == std::set<std::string>{"pve2"});
    REQUIRE(r.value().containers.size() == 1);
    CHECK(r.value().containers[0].vmid == 101);
}

TEST_CASE("no node observable: observe fails", "[pct][multi]") {
    World w;
    w.pve1.always("observe", lost("connection refused"));
    w.pve2.always("observe", lost("connection refused"));
    auto r = w.host->observe();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Transient);
    CHECK(contains(r.error().message, "no node could be observed"));
    CHECK(contains(r.error().message, "cluster-a (pve1): observing: connection refused"));
    CHECK(contains(r.error().message, "cluster-a (pve2): observing: connection refused"));
}

TEST_CASE("create and update go to the spec's pveNode", "[pct][multi]") {
    World w;
    REQUIRE(w.host->create(specFor(103, "val3", "pve2")).ok());
    CHECK(w.pve2.cts.contains(103));
    CHECK_FALSE(w.pve1.cts.contains(103));
    CHECK(w.pve1.count() == 0);
    // Then routed by where it was made.
    REQUIRE(w.host->start(103).ok());
    CHECK(w.pve1.count() == 0);
    auto up = specFor(103, "val3", "pve2");
    up.resources.memoryMiB = 4096;
    REQUIRE(w.host->update(up, {plan::FieldChange{"memory", "", "", true}}).ok());
    CHECK(w.pve2.cts[103].memory == 4096);

    const auto e = w.host->create(specFor(104, "val4", "pve9"));
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::Permanent);
    CHECK(
        contains(e.error().message, "pveNode 'pve9' is not one of this host's nodes (pve1, pve2)"));
    CHECK_FALSE(w.host->update(specFor(104, "val4", "pve9"), {}).ok());
}

TEST_CASE("vmid operations go where the vmid was observed", "[pct][multi]") {
    World w;
    REQUIRE(w.host->observe().ok());
    w.pve1.clearCalls();
    w.pve2.clearCalls();
    REQUIRE(w.host->stop(102, 10s).ok());
    CHECK(w.pve1.count() == 0);
    CHECK(w.pve2.count("pct shutdown 102") == 1);
    REQUIRE(w.host->exec(101, {"true"}, 5s).ok());
    CHECK(w.pve1.count("pct exec 101") == 1);
    CHECK(w.pve2.count("pct exec 101") == 0);
    hosts::FileWrite f;
    f.path = "/etc/x";
    f.content = "x";
    REQUIRE(w.host->writeFile(101, f).ok());
    CHECK(w.pve1.count("push") == 1);
    REQUIRE(w.host->snapshot(101, "s1").ok());
    REQUIRE(w.host->rollback(101, "s1").ok());
    REQUIRE(w.host->resizeDisk(101, 32).ok());
    for (const auto& c : w.pve2.calls()) {
        CHECK(contains(c.key, "102"));  // pve2 heard only about its own container
    }
}

TEST_CASE("a vmid never seen is looked for on each node", "[pct][multi]") {
    World w;
    REQUIRE(w.host->start(102).ok());  // not observed yet: found on pve2
    CHECK(w.pve1.count("pct config 102") == 1);
    CHECK(w.pve2.count("pct start 102") == 1);
    w.pve1.clearCalls();
    REQUIRE(w.host->start(102).ok());  // remembered
    CHECK(w.pve1.count() == 0);

    const auto missing = w.host->start(555);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::Transient);
    CHECK(contains(missing.error().message, "does not exist on any of this host's nodes"));
    REQUIRE(w.host->destroy(555).ok());  // on no node: gone already

    // A node that cannot answer: not knowing is not absence.
    w.pve2.always("pct config 556", lost("connection reset"));
    const auto unsure = w.host->destroy(556);
    REQUIRE_FALSE(unsure.ok());
    CHECK(unsure.error().kind == ErrorKind::Transient);
    CHECK(contains(unsure.error().message, "not found on the nodes that answered"));
}

TEST_CASE("destroy forgets the location, a vmid on two nodes is refused", "[pct][multi]") {
    World w;
    REQUIRE(w.host->observe().ok());
    REQUIRE(w.host->destroy(102).ok());
    CHECK_FALSE(w.pve2.cts.contains(102));
    REQUIRE(w.host->destroy(102).ok());

    w.pve2.cts[101] = val("val1");  // separate Proxmox installations can both have a 101
    REQUIRE(w.host->observe().ok());
    const auto e = w.host->start(101);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::Permanent);
    CHECK(contains(e.error().message, "exists on more than one node"));
}

TEST_CASE("containers on a blind node keep their place", "[pct][multi]") {
    World w;
    REQUIRE(w.host->observe().ok());
    w.pve2.always("observe", lost("connection refused"));
    REQUIRE(w.host->observe().ok());
    w.pve2.always("uname -n", lost("connection refused"));
    const auto e = w.host->start(102);  // still routed to pve2, which cannot be reached
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::Transient);
    CHECK(w.pve1.count("pct config 102") == 0);
}
