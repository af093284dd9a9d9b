// PctHost against a fake Proxmox node: what observe() reports and what a pass costs, the
// identity check, each operation's exact command line, idempotence (already running, already
// there, gone already, done but reported failed), locks, ownership refusals, and hostile values.
#include "hosts/pct/pct_host.h"

#include <catch2/catch.hpp>

#include "fake_node.h"
#include "hosts/pct/pct_commands.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::pct;
using namespace chainvisor::hosts::pct::test;
using namespace std::chrono_literals;
using hosts::ErrorKind;
using V = std::vector<std::string>;

template <typename T>
hosts::Error failed(const hosts::Result<T>& r) {
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    return r.error();
}

template <typename T>
void succeeded(const hosts::Result<T>& r) {
    if (!r.ok()) {
        FAIL(r.error().message);
    }
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

PctHostOptions options() {
    PctHostOptions o;
    o.name = "h1";
    o.pveNode = "pve2";
    o.clusterName = "prod";
    return o;
}

FakeCt val(const std::string& node, const std::string& status = "running") {
    FakeCt c;
    c.hostname = node;
    c.status = status;
    c.tags = "chainvisor;cv-c-prod;cv-n-" + node;
    return c;
}

hosts::ContainerSpec specFor(int vmid, const std::string& node) {
    hosts::ContainerSpec s;
    s.vmid = vmid;
    s.pveNode = "pve2";
    s.hostname = node;
    s.resources = spec::Resources{2, 2048, 512, 16};
    s.ip = spec::Ipv4Cidr::parse("10.0.0.15/24");
    s.gateway = spec::Ipv4Address::parse("10.0.0.1");
    s.bridge = "vmbr0";
    s.osTemplate = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
    s.storage = "local-lvm";
    s.owner = plan::OwnerMarker{"prod", node};
    return s;
}

plan::FieldChange change(const std::string& field, bool live = false) {
    return plan::FieldChange{field, "", "", live};
}

struct Fixture {
    FakeNode node;
    ManualTiming timing;
    PctHost host;

    explicit Fixture(PctHostOptions o = options()) : host(std::move(o), node, timing) {
        node.cts[101] = val("val1");
    }

    plan::ObservedHost observe() {
        auto r = host.observe();
        succeeded(r);
        return r.ok() ? r.value() : plan::ObservedHost{};
    }
    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (const auto& c : node.calls()) {
            out.push_back(c.key);
        }
        return out;
    }
    V argvOf(const std::string& key) const {  // of the last such call
        V out;
        for (const auto& c : node.calls()) {
            if (c.key == key) {
                out = c.argv;
            }
        }
        return out;
    }
    // The commands after the identity check of a fresh connection.
    std::vector<std::string> keysAfterUname() const {
        auto k = keys();
        if (!k.empty() && k.front() == "uname -n") {
            k.erase(k.begin());
        }
        return k;
    }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Observation

TEST_CASE("observe reports containers the way ProxmoxHost does", "[pct][observe]") {
    Fixture f;
    f.node.cts[102] = val("val2", "stopped");
    f.node.cts[102].lock = "backup";
    f.node.cts[102].cores = 0;  // no limit: all of the node's CPUs
    f.node.cts[103] = FakeCt{};
    f.node.cts[103].hostname = "Other";
    f.node.cts[103].tags = "web";
    f.node.cts[103].net0 = "name=eth0,bridge=vmbr1,ip=dhcp,type=veth";

    const auto h = f.observe();
    CHECK(h.name == "h1");
    CHECK(h.reachable);
    CHECK_FALSE(h.containersOnly);
    CHECK(h.offlinePveNodes.empty());
    REQUIRE(h.containers.size() == 3);

    const auto& a = h.containers[0];
    CHECK(a.vmid == 101);
    CHECK(a.pveNode == "pve2");
    CHECK(a.power == plan::PowerState::Running);
    CHECK(a.lock.empty());
    REQUIRE(a.owner);
    CHECK(a.owner->cluster == "prod");
    CHECK(a.owner->node == "val1");
    CHECK(a.hostname == "val1");
    CHECK(a.resources == spec::Resources{2, 2048, 512, 16});
    REQUIRE(a.ip);
    CHECK(a.ip->str() == "10.0.0.11/24");
    REQUIRE(a.gateway);
    CHECK(a.gateway->str() == "10.0.0.1");
    CHECK(a.bridge == "vmbr0");

    const auto& b = h.containers[1];
    CHECK(b.power == plan::PowerState::Stopped);
    CHECK(b.lock == "backup");
    CHECK(b.resources.cores == 8);  // the node's CPUs

    const auto& c = h.containers[2];
    CHECK_FALSE(c.owner);
    CHECK(c.hostname == "other");
    CHECK_FALSE(c.ip);
    CHECK(c.bridge == "vmbr1");

    // One remote command, and the identity was checked inside it: no separate uname.
    CHECK(f.keys() == std::vector<std::string>{"observe"});
    const auto argv = f.argvOf("observe");
    REQUIRE(argv.size() == 5);  // nothing known yet
    CHECK(argv[4] == "pve2");
}

TEST_CASE("a steady observation pass is one command and reads only the trickle",
          "[pct][observe][cost]") {
    Fixture f;
    for (int vmid = 102; vmid <= 110; ++vmid) {
        f.node.cts[vmid] = val("val" + std::to_string(vmid));
    }
    f.observe();
    CHECK(f.node.lastObservedConfigs.size() == 10);  // first pass: every config

    for (int pass = 0; pass < 5; ++pass) {
        f.node.clearCalls();
        const auto h = f.observe();
        CHECK(h.containers.size() == 10);
        CHECK(f.node.count() == 1);
        CHECK(f.node.lastObservedConfigs.size() == 2);  // the two least recently read
    }
    // Over five passes the trickle went round every container.
    // A status change shows in the list: that container's config is read, and only it (+2).
    f.node.cts[105].status = "stopped";
    f.observe();
    const auto& read = f.node.lastObservedConfigs;
    CHECK(std::find(read.begin(), read.end(), 105) != read.end());
    CHECK(read.size() == 3);

    // A new container is read in the same command.
    f.node.cts[120] = val("val120");
    f.node.clearCalls();
    const auto h = f.observe();
    CHECK(f.node.count() == 1);
    CHECK(h.containers.size() == 11);
    CHECK(std::find(read.begin(), read.end(), 120) != read.end());

    // A destroyed container disappears from the report and from the cache.
    f.node.cts.erase(120);
    CHECK(f.observe().containers.size() == 10);
}

TEST_CASE("without the trickle a steady pass reads no config at all", "[pct][observe][cost]") {
    auto o = options();
    o.configRefreshPerPass = 0;
    Fixture f(o);
    f.node.cts[102] = val("val2");
    f.observe();
    f.observe();
    CHECK(f.node.lastObservedConfigs.empty());
    // A change the list cannot show is not seen without the trickle...
    f.node.cts[102].memory = 4096;
    CHECK(f.observe().containers[1].resources.memoryMiB == 2048);
    // ...but one of ours is: our own change invalidates the cached config.
    succeeded(f.host.update(specFor(101, "val1") /*memory 2048*/, {change("memory", true)}));
    f.observe();
    CHECK(f.node.lastObservedConfigs == std::vector<int>{101});
}

TEST_CASE("a config read while we change the container is used once, not cached",
          "[pct][observe]") {
    auto o = options();
    o.configRefreshPerPass = 0;
    Fixture f(o);
    f.observe();
    // Our update lands while the observation runs; the pass had 101 among its known lines, so
    // it reports what was read before, and the next pass reads it again.
    f.node.before("observe", [&] {
        auto s = specFor(101, "val1");
        s.resources.memoryMiB = 4096;
        succeeded(f.host.update(s, {change("memory", true)}));
    });
    CHECK(f.observe().containers[0].resources.memoryMiB == 2048);
    CHECK(f.node.lastObservedConfigs.empty());
    CHECK(f.observe().containers[0].resources.memoryMiB == 4096);
    CHECK(f.node.lastObservedConfigs == std::vector<int>{101});
    CHECK(f.observe().containers[0].resources.memoryMiB == 4096);
    CHECK(f.node.lastObservedConfigs.empty());

    // A change racing a pass that reads the config: used for that pass, but read again next.
    f.node.cts[101].status = "stopped";  // makes the next pass read 101
    f.node.before("observe", [&] {
        auto s = specFor(101, "val1");
        s.resources.memoryMiB = 1024;
        succeeded(f.host.update(s, {change("memory", true)}));
    });
    CHECK(f.observe().containers[0].resources.memoryMiB == 1024);
    f.observe();
    CHECK(f.node.lastObservedConfigs == std::vector<int>{101});
}

TEST_CASE("observe fails, acting on nothing, when the shell reaches another node",
          "[pct][observe][identity]") {
    Fixture f;
    f.node.uname = "pve1.example.com";
    const auto e = failed(f.host.observe());
    CHECK(e.message ==
          "h1 (pve2): ssh root@pve2.example:22 reaches node 'pve1', not 'pve2'; nothing is done "
          "there until it reaches pve2 (hosts[].ssh)");
    CHECK(f.node.lastObservedConfigs.empty());  // the script stopped after uname
    // Mutations are refused Permanent before any pct command.
    f.node.clearCalls();
    const auto s = failed(f.host.start(101));
    CHECK(s.kind == ErrorKind::Permanent);
    CHECK(contains(s.message, "reaches node 'pve1', not 'pve2'"));
    CHECK(f.keys() == std::vector<std::string>{"uname -n"});
    // Case and domain do not matter.
    f.node.uname = "PVE2.Example.Com";
    succeeded(f.host.observe());
    succeeded(f.host.start(101));
}

TEST_CASE("observe failures: transport, pct list, cut short, unreadable configs",
          "[pct][observe]") {
    Fixture f;
    SECTION("transport") {
        f.node.on("observe", lost("connection refused"));
        const auto e = failed(f.host.observe());
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(e.message == "h1 (pve2): observing: connection refused");
        f.node.on("observe", lost("host key mismatch", true));
        CHECK(failed(f.host.observe()).kind == ErrorKind::Permanent);
    }
    SECTION("pct list fails") {
        f.node.on("observe", exits(255,
                                   "@@chainvisor node\npve2\n@@chainvisor cpus\n8\n"
                                   "@@chainvisor list-failed 255\n",
                                   "ipcc_send_rec[1] failed: Connection refused\n"));
        const auto e = failed(f.host.observe());
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message, "pct list failed (exit 255): ipcc_send_rec[1] failed"));
    }
    SECTION("no pct at all") {
        f.node.on("observe", exits(127,
                                   "@@chainvisor node\npve2\n@@chainvisor cpus\n8\n"
                                   "@@chainvisor list-failed 127\n",
                                   "sh: 1: pct: not found\n"));
        CHECK(failed(f.host.observe()).kind == ErrorKind::Permanent);
    }
    SECTION("cut short") {
        f.node.on("observe", answer("@@chainvisor node\npve2\n@@chainvisor cpus\n8\n"
                                    "@@chainvisor list\nVMID Status Lock Name\n"));
        CHECK(contains(failed(f.host.observe()).message, "cut short"));
        f.node.on("observe", answer(""));
        CHECK(failed(f.host.observe()).kind == ErrorKind::Transient);
    }
    SECTION("garbage instead of pct list") {
        f.node.on("observe", answer("@@chainvisor node\npve2\n@@chainvisor list\nhello\n"
                                    "@@chainvisor end\n"));
        CHECK(contains(failed(f.host.observe()).message, "unexpected output of pct list"));
    }
    SECTION("a config that cannot be read: fatal when never read, else the last one stands") {
        f.node.brokenConfigs.insert(101);
        const auto e = failed(f.host.observe());
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message, "CT 101 on pve2: pct config 101 failed (exit 255)"));
        CHECK(contains(e.message, "got timeout"));
        f.node.brokenConfigs.clear();
        f.observe();
        f.node.brokenConfigs.insert(101);
        f.node.cts[101].status = "stopped";  // its line changed: read again, and that fails
        const auto h = f.observe();
        CHECK(h.containers[0].hostname == "val1");
        CHECK(h.containers[0].power == plan::PowerState::Stopped);
        f.node.brokenConfigs.clear();
        f.observe();
        CHECK(f.node.lastObservedConfigs == std::vector<int>{101});  // still due
    }
}

TEST_CASE("an empty node is an empty list", "[pct][observe]") {
    Fixture f;
    f.node.cts.clear();
    const auto h = f.observe();
    CHECK(h.reachable);
    CHECK(h.containers.empty());
}

// ---------------------------------------------------------------------------------------------
// Identity

TEST_CASE("the identity is checked once per connection", "[pct][identity]") {
    Fixture f;
    succeeded(f.host.start(101));  // already running
    succeeded(f.host.start(101));
    CHECK(f.node.count("uname -n") == 1);
    // A transport failure may mean a new connection next time: check again.
    f.node.on("pct config 101", lost("connection reset"));
    CHECK(failed(f.host.start(101)).kind == ErrorKind::Transient);
    succeeded(f.host.start(101));
    CHECK(f.node.count("uname -n") == 2);
    // An observation that saw the right node counts as a check.
    f.node.on("pct status 101", lost("connection reset"));
    CHECK_FALSE(f.host.start(101).ok());
    f.observe();
    f.node.clearCalls();
    succeeded(f.host.start(101));
    CHECK(f.node.count("uname -n") == 0);
}

TEST_CASE("an unanswered identity check fails the mutation", "[pct][identity]") {
    Fixture f;
    f.node.on("uname -n", lost("authentication failed", true));
    const auto e = failed(f.host.destroy(101));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(e.message == "h1 (pve2): uname -n: authentication failed");
    CHECK(f.node.count("pct config 101") == 0);
}

// ---------------------------------------------------------------------------------------------
// Create

TEST_CASE("create runs pct create with the spec and the marker", "[pct][create]") {
    Fixture f;
    f.node.cts.clear();
    succeeded(f.host.create(specFor(101, "val1")));
    CHECK(f.keysAfterUname() == std::vector<std::string>{"pct config 101", "pct create 101"});
    // clang-format off
    CHECK(f.argvOf("pct create 101") == V{
        "pct", "create", "101", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        "--hostname", "val1",
        "--cores", "2",
        "--memory", "2048",
        "--swap", "512",
        "--rootfs", "local-lvm:16",
        "--net0", "name=eth0,bridge=vmbr0,ip=10.0.0.15/24,gw=10.0.0.1",
        "--unprivileged", "1",
        "--features", "nesting=1",
        "--onboot", "1",
        "--tags", "chainvisor;cv-c-prod;cv-n-val1"});
    // clang-format on
    for (const auto& c : f.node.calls()) {
        if (c.key == "pct create 101") {
            CHECK(c.deadline == 10min);
        }
    }
    REQUIRE(f.node.cts.contains(101));
    CHECK(f.node.cts[101].status == "stopped");

    // Again: ours, there already: success without a second create.
    f.node.clearCalls();
    succeeded(f.host.create(specFor(101, "val1")));
    CHECK(f.keys() == std::vector<std::string>{"pct config 101"});
}

TEST_CASE("create refuses someone else's container with that vmid", "[pct][create]") {
    Fixture f;
    SECTION("unmarked") {
        f.node.cts[101].tags = "web;prod-db";
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(e.message ==
              "h1: CT 101 on pve2 already exists and was not created by chainvisor (tags: "
              "web;prod-db); choose another vmid, or set adopt: true");
    }
    SECTION("another node of this cluster") {
        f.node.cts[101].tags = "chainvisor;cv-c-prod;cv-n-val9";
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(contains(e.message,
                       "belongs to cluster prod (node val9), not to cluster prod "
                       "(node val1)"));
    }
    SECTION("another cluster") {
        f.node.cts[101].tags = "chainvisor;cv-c-staging;cv-n-val1";
        CHECK(contains(failed(f.host.create(specFor(101, "val1"))).message, "cluster staging"));
    }
    CHECK(f.node.count("pct create 101") == 0);
}

TEST_CASE("a create reported failed but done is success", "[pct][create]") {
    Fixture f;
    f.node.cts.clear();
    SECTION("the connection was lost while pct create ran to its end") {
        f.node.before("pct create 101", [&] { f.node.cts[101] = val("val1", "stopped"); });
        f.node.on("pct create 101", lost("connection reset by peer"));
        succeeded(f.host.create(specFor(101, "val1")));
    }
    SECTION("a parallel attempt made it first: already exists, ours") {
        f.node.before("pct create 101", [&] { f.node.cts[101] = val("val1", "stopped"); });
        succeeded(f.host.create(specFor(101, "val1")));
    }
    SECTION("someone else made it first") {
        f.node.before("pct create 101", [&] {
            f.node.cts[101] = FakeCt{};
            f.node.cts[101].tags = "";
        });
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(contains(e.message, "(tags: none)"));
    }
    CHECK(f.node.count("pct create 101") == 1);
}

TEST_CASE("a failed create says why, each line once", "[pct][create]") {
    Fixture f;
    f.node.cts.clear();
    SECTION("a task error") {
        f.node.on("pct create 101",
                  failure(255,
                          "extracting archive\nunable to create CT 101 - no space left\n"
                          "unable to create CT 101 - no space left\n"));
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(e.message ==
              "h1: CT 101 on pve2: pct create 101 failed (exit 255): extracting archive | unable "
              "to create CT 101 - no space left");
    }
    SECTION("bad parameters") {
        f.node.on("pct create 101", failure(255,
                                            "400 Parameter verification failed.\n"
                                            "storage: storage 'nvme' does not exist\n"
                                            "pct create <vmid> <ostemplate> [OPTIONS]\n"));
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(contains(e.message,
                       "parameter verification failed: storage: storage 'nvme' does not exist"));
    }
    SECTION("the vmid is taken on another node of the Proxmox cluster") {
        f.node.on("pct create 101", failure(255,
                                            "unable to create CT 101 - CT 101 already "
                                            "exists on node 'pve1'\n"));
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(contains(e.message, "already exists on node 'pve1'; choose another vmid"));
    }
    SECTION("host key changed: permanent, no second look") {
        f.node.on("pct create 101", lost("host key mismatch", true));
        CHECK(failed(f.host.create(specFor(101, "val1"))).kind == ErrorKind::Permanent);
        CHECK(f.node.count("pct config 101") == 1);
    }
}

TEST_CASE("create waits out an earlier attempt's lock: create", "[pct][create][lock]") {
    Fixture f;
    f.node.cts[101] = val("val1", "stopped");
    f.node.cts[101].lock = "create";
    int looks = 0;
    // The third look finds the lock gone.
    auto clearLater = [&](auto&& self) -> void {
        f.node.before("pct config 101", [&, self] {
            if (++looks == 3) {
                f.node.cts[101].lock.clear();
            } else {
                self(self);
            }
        });
    };
    clearLater(clearLater);
    succeeded(f.host.create(specFor(101, "val1")));
    CHECK(f.node.count("pct config 101") == 3);
    CHECK(f.timing.slept() >= 1000ms);
    CHECK(f.node.count("pct create 101") == 0);

    SECTION("and gives up Transient after the task deadline") {
        f.node.cts[101].lock = "create";
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message, "is still being created (lock: create)"));
    }
    SECTION("or learns that Proxmox removed the failed attempt") {
        f.node.cts[101].lock = "create";
        f.node.before("pct config 101",
                      [&] { f.node.before("pct config 101", [&] { f.node.cts.erase(101); }); });
        const auto e = failed(f.host.create(specFor(101, "val1")));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message, "created again on the next try"));
    }
}

TEST_CASE("create checks its input before running anything", "[pct][create]") {
    Fixture f;
    auto refused = [&](hosts::ContainerSpec s, const std::string& part) {
        const auto e = failed(f.host.create(s));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(contains(e.message, part));
    };
    auto s = specFor(101, "val1");
    s.vmid = 99;
    refused(s, "out of Proxmox's range");
    s = specFor(101, "val1");
    s.pveNode = "pve1";
    refused(s, "pveNode 'pve1' is not this host's node pve2");
    s = specFor(101, "val1");
    s.owner.cluster = "staging";
    refused(s, "this host serves cluster prod");
    s = specFor(101, "val1");
    s.owner.node = "Val 1";
    refused(s, "cannot be written as Proxmox tags");
    s = specFor(101, "val1");
    s.osTemplate = "--force";
    refused(s, "osTemplate");
    s = specFor(101, "val1");
    s.storage = "local-lvm,size=1";
    refused(s, "storage");
    s = specFor(101, "val1");
    s.bridge = "vmbr0,firewall=0";
    refused(s, "bridge");
    s = specFor(101, "val1");
    s.resources.memoryMiB = 8;
    refused(s, "memory ≥ 16 MiB");
    s = specFor(101, "val1");
    s.ip.reset();
    refused(s, "a gateway needs an ip");
    CHECK(f.node.count() == 0);
}

// ---------------------------------------------------------------------------------------------
// Power

TEST_CASE("start: pct start, already running is success, pct status confirms", "[pct][power]") {
    Fixture f;
    f.node.cts[101].status = "stopped";
    succeeded(f.host.start(101));
    CHECK(f.keysAfterUname() ==
          std::vector<std::string>{"pct config 101", "pct start 101", "pct status 101"});
    CHECK(f.argvOf("pct start 101") == V{"pct", "start", "101"});
    CHECK(f.node.cts[101].status == "running");
    f.node.clearCalls();
    succeeded(f.host.start(101));  // "CT 101 already running"
    CHECK(f.keys() ==
          std::vector<std::string>{"pct config 101", "pct start 101", "pct status 101"});

    SECTION("an HA-managed start that does not come up is Transient after the timeout") {
        f.node.cts[101].status = "stopped";
        f.node.on("pct start 101", answer("Requesting HA start for CT 101\n"));
        const auto e = failed(f.host.start(101));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message, "is still stopped 1m after pct finished (wanted running)"));
        CHECK(f.timing.slept() >= 60s);
    }
    SECTION("a failing start says why") {
        f.node.cts[101].status = "stopped";
        f.node.on("pct start 101", failure(255, "startup for container '101' failed\n"));
        const auto e = failed(f.host.start(101));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(e.message ==
              "h1: CT 101 on pve2: pct start 101 failed (exit 255): startup for container '101' "
              "failed");
    }
}

TEST_CASE("stop: a graceful shutdown with the grace, forced after it", "[pct][power]") {
    Fixture f;
    succeeded(f.host.stop(101, 90s));
    CHECK(f.argvOf("pct shutdown 101") ==
          V{"pct", "shutdown", "101", "--timeout", "90", "--forceStop", "1"});
    for (const auto& c : f.node.calls()) {
        if (c.key == "pct shutdown 101") {
            CHECK(c.deadline == 10min);
        }
    }
    CHECK(f.node.cts[101].status == "stopped");
    f.node.clearCalls();
    succeeded(f.host.stop(101, 90s));  // "CT 101 not running"
    CHECK(f.keys() == std::vector<std::string>{"pct config 101", "pct shutdown 101"});

    SECTION("a grace longer than the task deadline extends the command's deadline") {
        f.node.cts[101].status = "running";
        f.node.clearCalls();
        succeeded(f.host.stop(101, 3600s));
        for (const auto& c : f.node.calls()) {
            if (c.key == "pct shutdown 101") {
                CHECK(c.deadline == 3660s);
            }
        }
    }
    SECTION("a failed shutdown falls back to pct stop") {
        f.node.cts[101].status = "running";
        f.node.on("pct shutdown 101", failure(255, "command 'lxc-stop' failed: got signal\n"));
        succeeded(f.host.stop(101, 30s));
        CHECK(f.node.count("pct stop 101") == 1);
        CHECK(f.node.cts[101].status == "stopped");
    }
    SECTION("a lost connection is not a failure to fall back from") {
        f.node.cts[101].status = "running";
        f.node.on("pct shutdown 101", lost("connection reset"));
        CHECK(failed(f.host.stop(101, 30s)).kind == ErrorKind::Transient);
        CHECK(f.node.count("pct stop 101") == 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Locks and ownership

TEST_CASE("a locked container is not touched", "[pct][lock]") {
    Fixture f;
    f.node.cts[101].lock = "snapshot";
    for (const auto& r :
         {f.host.start(101), f.host.stop(101, 10s), f.host.resizeDisk(101, 32),
          f.host.snapshot(101, "s1"), f.host.rollback(101, "s1"), f.host.destroy(101),
          f.host.update(specFor(101, "val1"), {change("memory", true)})}) {
        const auto e = failed(r);
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message,
                       "h1: CT 101 on pve2 is locked (snapshot); waiting for it to "
                       "clear"));
        CHECK(contains(e.message, "pct unlock 101"));
    }
    for (const auto& k : f.keys()) {
        CHECK((k == "uname -n" || k == "pct config 101"));
    }
}

TEST_CASE("a lock taken while pct runs is Transient", "[pct][lock]") {
    Fixture f;
    f.node.cts[101].status = "stopped";
    f.node.on("pct start 101", failure(255, "CT is locked (backup)\n"));
    const auto e = failed(f.host.start(101));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK(contains(e.message, "CT is locked (backup)"));
    f.node.on("pct start 101",
              failure(255, "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout\n"));
    CHECK(failed(f.host.start(101)).kind == ErrorKind::Transient);
}

TEST_CASE("containers without this cluster's marker are never touched", "[pct][ownership]") {
    Fixture f;
    SECTION("unmarked") {
        f.node.cts[101].tags = "";
        for (const auto& r :
             {f.host.start(101), f.host.stop(101, 10s), f.host.resizeDisk(101, 32),
              f.host.snapshot(101, "s1"), f.host.rollback(101, "s1"), f.host.destroy(101)}) {
            const auto e = failed(r);
            CHECK(e.kind == ErrorKind::Permanent);
            CHECK(contains(e.message, "has no chainvisor marker (tags: none)"));
        }
        const auto x = failed(f.host.exec(101, {"true"}, 5s));
        CHECK(x.kind == ErrorKind::Permanent);
        hosts::FileWrite w;
        w.path = "/etc/x";
        CHECK(failed(f.host.writeFile(101, w)).kind == ErrorKind::Permanent);
    }
    SECTION("another cluster's") {
        f.node.cts[101].tags = "chainvisor;cv-c-staging;cv-n-val1";
        const auto e = failed(f.host.destroy(101));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(
            contains(e.message, "belongs to cluster staging (node val1); refusing to destroy it"));
    }
    for (const auto& k : f.keys()) {
        CHECK((k == "uname -n" || k == "pct config 101"));
    }
    CHECK(f.node.cts.contains(101));
}

TEST_CASE("a container that is not there", "[pct][ownership]") {
    Fixture f;
    f.node.cts.clear();
    const auto e = failed(f.host.start(101));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK(e.message == "h1: CT 101 on pve2 does not exist; cannot start it");
    succeeded(f.host.destroy(101));  // gone already
    CHECK(f.node.count("pct destroy 101") == 0);
    CHECK(failed(f.host.exec(101, {"true"}, 5s)).kind == ErrorKind::Transient);
}

// ---------------------------------------------------------------------------------------------
// Update, resize

TEST_CASE("update sets only the changed fields, memory and swap live", "[pct][update]") {
    Fixture f;
    auto s = specFor(101, "val1");
    s.resources.memoryMiB = 4096;
    s.resources.swapMiB = 1024;
    succeeded(f.host.update(s, {change("memory", true), change("swap", true)}));
    CHECK(f.argvOf("pct set 101") == V{"pct", "set", "101", "--memory", "4096", "--swap", "1024"});
    CHECK(f.node.count("pct status 101") == 0);  // live: no need to know
    CHECK(f.node.cts[101].memory == 4096);
    succeeded(f.host.update(s, {}));

    SECTION("other fields only while stopped") {
        s.resources.cores = 4;
        f.node.clearCalls();
        const auto e = failed(f.host.update(s, {change("cores"), change("hostname")}));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message,
                       "cores, hostname cannot change while it is running; stop it "
                       "first"));
        CHECK(f.node.count("pct set 101") == 0);
        f.node.cts[101].status = "stopped";
        s.hostname = "val-one";
        succeeded(f.host.update(s, {change("cores"), change("hostname")}));
        CHECK(f.argvOf("pct set 101") ==
              V{"pct", "set", "101", "--cores", "4", "--hostname", "val-one"});
    }
    SECTION("the network keeps its MAC address") {
        f.node.cts[101].status = "stopped";
        s.ip = spec::Ipv4Cidr::parse("10.0.0.99/24");
        succeeded(f.host.update(s, {change("ip")}));
        CHECK(f.argvOf("pct set 101") ==
              V{"pct", "set", "101", "--net0",
                "name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.0.0.99/24,"
                "type=veth"});
    }
    SECTION("fields pct cannot change here") {
        CHECK(failed(f.host.update(s, {change("storage")})).kind == ErrorKind::Permanent);
    }
    SECTION("another node's container") {
        f.node.cts[101].tags = "chainvisor;cv-c-prod;cv-n-val9";
        const auto e = failed(f.host.update(s, {change("memory", true)}));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(contains(e.message,
                       "belongs to cluster prod (node val9), not cluster prod (node "
                       "val1)"));
    }
}

TEST_CASE("adopt writes the marker onto an unmarked container, never another cluster's",
          "[pct][update][adopt]") {
    Fixture f;
    f.node.cts[101].tags = "web;db";
    succeeded(f.host.update(specFor(101, "val1"), {change("owner", true)}));
    CHECK(f.argvOf("pct set 101") ==
          V{"pct", "set", "101", "--tags", "chainvisor;cv-c-prod;cv-n-val1;db;web"});
    f.node.clearCalls();
    succeeded(f.host.update(specFor(101, "val1"), {change("owner", true)}));  // marked already
    CHECK(f.node.count("pct set 101") == 0);

    f.node.cts[101].tags = "chainvisor;cv-c-prod;cv-n-val9";  // this cluster, another node
    succeeded(f.host.update(specFor(101, "val1"), {change("owner", true)}));
    CHECK(f.node.cts[101].tags == "chainvisor;cv-c-prod;cv-n-val1");

    f.node.cts[101].tags = "chainvisor;cv-c-staging;cv-n-val1";
    const auto e = failed(f.host.update(specFor(101, "val1"), {change("owner", true)}));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(contains(e.message, "carries another chainvisor's marker"));
    auto other = specFor(101, "val1");
    other.owner.cluster = "staging";
    CHECK(failed(f.host.update(other, {change("owner", true)})).kind == ErrorKind::Permanent);
}

TEST_CASE("resize grows the root disk, never shrinks it", "[pct][resize]") {
    Fixture f;
    succeeded(f.host.resizeDisk(101, 32));
    CHECK(f.argvOf("pct resize 101") == V{"pct", "resize", "101", "rootfs", "32G"});
    f.node.clearCalls();
    succeeded(f.host.resizeDisk(101, 32));  // that size already
    CHECK(f.node.count("pct resize 101") == 0);
    const auto e = failed(f.host.resizeDisk(101, 8));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(contains(e.message, "cannot shrink (32 → 8 GiB)"));
    CHECK(failed(f.host.resizeDisk(101, 0)).kind == ErrorKind::Permanent);
}

TEST_CASE("resize believes the config, not pct's exit code", "[pct][resize]") {
    Fixture f;
    // pct resize has no task exit status: a failed task still exits 0, saying so on stderr.
    Reply silentFailure = answer("");
    silentFailure.err = "TASK ERROR: lvextend failed: no space left\n";
    f.node.on("pct resize 101", silentFailure);
    const auto e = failed(f.host.resizeDisk(101, 32));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK(contains(e.message, "pct resize exited 0 but the root disk is still 16 GiB, not 32"));
    CHECK(contains(e.message, "lvextend failed: no space left"));
    succeeded(f.host.resizeDisk(101, 32));  // the next attempt does it
}

// ---------------------------------------------------------------------------------------------
// Snapshots, destroy

TEST_CASE("snapshot: an existing one of that name is success", "[pct][snapshot]") {
    Fixture f;
    succeeded(f.host.snapshot(101, "pre-upgrade"));
    CHECK(f.argvOf("pct snapshot 101") == V{"pct", "snapshot", "101", "pre-upgrade"});
    CHECK(f.node.cts[101].snapshots == V{"pre-upgrade"});
    f.node.clearCalls();
    succeeded(f.host.snapshot(101, "pre-upgrade"));
    CHECK(f.keys() == std::vector<std::string>{"pct config 101", "pct listsnapshot 101"});

    SECTION("taken although the answer was lost") {
        f.node.before("pct snapshot 101", [&] { f.node.cts[101].snapshots.push_back("s2"); });
        f.node.on("pct snapshot 101", lost("connection reset"));
        succeeded(f.host.snapshot(101, "s2"));
    }
    SECTION("names Proxmox would refuse") {
        for (const auto* name : {"current", "vzdump", "1abc", "a b", "-x", ""}) {
            CHECK(failed(f.host.snapshot(101, name)).kind == ErrorKind::Permanent);
        }
    }
}

TEST_CASE("rollback needs the snapshot", "[pct][snapshot]") {
    Fixture f;
    const auto e = failed(f.host.rollback(101, "s1"));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(e.message == "h1: CT 101 on pve2 has no snapshot named s1");
    CHECK(f.node.count("pct rollback 101") == 0);
    f.node.cts[101].snapshots = {"s0", "s1"};
    succeeded(f.host.rollback(101, "s1"));
    CHECK(f.argvOf("pct rollback 101") == V{"pct", "rollback", "101", "s1"});
}

TEST_CASE("destroy purges ours, missing is success", "[pct][destroy]") {
    Fixture f;
    succeeded(f.host.destroy(101));
    CHECK(f.argvOf("pct destroy 101") ==
          V{"pct", "destroy", "101", "--purge", "1", "--force", "1"});
    CHECK_FALSE(f.node.cts.contains(101));
    succeeded(f.host.destroy(101));
    CHECK(f.node.count("pct destroy 101") == 1);

    f.node.cts[102] = val("val2");
    f.node.before("pct destroy 102", [&] { f.node.cts.erase(102); });  // someone was faster
    succeeded(f.host.destroy(102));
}

// ---------------------------------------------------------------------------------------------
// Inside containers

TEST_CASE("exec: pct exec with the argv as it is, the exit code passes through", "[pct][exec]") {
    Fixture f;
    std::vector<std::string> seen;
    f.node.onExec([&](const std::vector<std::string>& argv) {
        seen = argv;
        return exits(3, "out\n", "err\n");
    });
    const V hostile{"sh", "-c", "echo \"$HOME\" 'x'; rm -rf / #\nnext line", "--", "-n", ""};
    auto r = f.host.exec(101, hostile, 7s);
    succeeded(r);
    CHECK(r.value().exitCode == 3);
    CHECK(r.value().out == "out\n");
    CHECK(r.value().err == "err\n");
    CHECK(seen == hostile);
    V expected{"pct", "exec", "101", "--"};
    expected.insert(expected.end(), hostile.begin(), hostile.end());
    CHECK(f.argvOf("pct exec 101") == expected);
    for (const auto& c : f.node.calls()) {
        if (c.key == "pct exec 101") {
            CHECK(c.deadline == 7s);
        }
    }

    SECTION("not running is Transient") {
        f.node.cts[101].status = "stopped";
        const auto e = failed(f.host.exec(101, {"true"}, 5s));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(e.message == "h1: CT 101 on pve2: is not running; cannot run true in it");
    }
    SECTION("a command's own exit 255 is its own") {
        f.node.onExec([](const auto&) { return exits(255, "", "ssh: connect failed\n"); });
        auto own = f.host.exec(101, {"ssh", "x"}, 5s);
        succeeded(own);
        CHECK(own.value().exitCode == 255);
    }
    SECTION("a deadline that passes is Transient, and names the program only") {
        f.node.on("pct exec 101", lost("no answer within 5s", false, true));
        const auto e = failed(f.host.exec(101, {"cat", "/secret/path"}, 5s));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK_FALSE(contains(e.message, "/secret/path"));
    }
    SECTION("an empty command is refused") {
        CHECK(failed(f.host.exec(101, {}, 5s)).kind == ErrorKind::Permanent);
        CHECK(failed(f.host.exec(101, {"a", std::string("b\0c", 3)}, 5s)).kind ==
              ErrorKind::Permanent);
    }
}

TEST_CASE("exec and writeFile trust the last observation's marker", "[pct][exec]") {
    Fixture f;
    f.observe();
    f.node.clearCalls();
    succeeded(f.host.exec(101, {"true"}, 5s));
    CHECK(f.keys() == std::vector<std::string>{"pct exec 101"});
    // Not ours when last seen: looked at again (it may have been adopted since).
    f.node.cts[102] = FakeCt{};
    f.node.cts[102].tags = "";
    f.observe();
    f.node.cts[102].tags = "chainvisor;cv-c-prod;cv-n-val2";
    f.node.clearCalls();
    succeeded(f.host.exec(102, {"true"}, 5s));
    CHECK(f.keys() == std::vector<std::string>{"pct config 102", "pct exec 102"});
}

TEST_CASE("writeFile: the content goes on stdin only", "[pct][write]") {
    Fixture f;
    hosts::FileWrite w;
    w.path = "/etc/besu/key with 'quotes' $and;\nnewline";
    w.content = "0xSECRET-PRIVATE-KEY";
    w.mode = 0600;
    w.owner = "besu";
    w.group = "";
    succeeded(f.host.writeFile(101, w));
    const auto& file = f.node.cts[101].files.at(w.path);
    CHECK(file.content == w.content);
    CHECK(file.mode == "0600");
    CHECK(file.owner == "besu");
    CHECK(file.group == "1000");  // the owner's group, looked up inside
    for (const auto& c : f.node.calls()) {
        for (const auto& a : c.argv) {
            CHECK_FALSE(contains(a, "SECRET"));
        }
        if (c.key == "push") {
            CHECK(c.input == w.content);
            CHECK(c.argv == pctPushArgv(101, w));
        } else {
            CHECK(c.input.empty());
        }
    }

    SECTION("not running is Transient") {
        f.node.cts[101].status = "stopped";
        const auto e = failed(f.host.writeFile(101, w));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(contains(e.message, "is not running"));
        CHECK_FALSE(contains(e.message, "SECRET"));
    }
    SECTION("an owner the container does not know is Permanent") {
        f.node.on("push", failure(255, "failed to get uid for: besu\n"));
        CHECK(failed(f.host.writeFile(101, w)).kind == ErrorKind::Permanent);
    }
    SECTION("refused before anything runs") {
        f.node.clearCalls();
        w.path = "relative";
        CHECK(failed(f.host.writeFile(101, w)).kind == ErrorKind::Permanent);
        CHECK(f.node.count() == 0);
    }
}

TEST_CASE("hostile values reach pct as single arguments", "[pct][commands]") {
    Fixture f;
    f.node.cts.clear();
    auto s = specFor(101, "val1");
    s.hostname = "-h $(reboot); 'x' \"y\"\nz";
    succeeded(f.host.create(s));
    const auto argv = f.argvOf("pct create 101");
    REQUIRE(argv.size() == 24);
    CHECK(argv[4] == "--hostname");
    CHECK(argv[5] == s.hostname);
    f.node.cts[101].status = "stopped";
    succeeded(f.host.update(s, {change("hostname")}));
    CHECK(f.argvOf("pct set 101") == V{"pct", "set", "101", "--hostname", s.hostname});
}
