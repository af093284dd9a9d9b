// ProxmoxHost against a scripted Proxmox API: observation and its request budget, the config
// cache, creation (idempotent, exact parameters), power, updates and adoption, ownership
// refusals, the empty-list rule, the circuit breaker, and that the secret never leaks.
#include "hosts/proxmox/proxmox_host.h"

#include <catch2/catch.hpp>
#include <thread>

#include "world.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::proxmox;
using namespace chainvisor::hosts::proxmox::test;
using namespace std::chrono_literals;
using hosts::ErrorKind;
using Params = std::map<std::string, std::string>;

// Every error a test sees goes through here: it must exist and must not carry the secret.
template <typename T>
hosts::Error failed(const hosts::Result<T>& r) {
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find(kSecret) == std::string::npos);
    return r.error();
}

template <typename T>
void succeeded(const hosts::Result<T>& r) {
    if (!r.ok()) {
        FAIL(r.error().message);
    }
}

struct Fixture {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxHost host;

    explicit Fixture(ProxmoxHostOptions o = hostOptions()) : host(std::move(o), http, timing) {}

    plan::ObservedHost observe() {
        auto r = host.observe();
        succeeded(r);
        return r.ok() ? r.value() : plan::ObservedHost{};
    }
    std::vector<Recorded> sent(const std::string& key) const {
        std::vector<Recorded> out;
        for (const auto& r : http.requests()) {
            if (r.key() == key) {
                out.push_back(r);
            }
        }
        return out;
    }
};

Ct val(int vmid, const std::string& node = "val1") {
    Ct c;
    c.vmid = vmid;
    c.hostname = node;
    c.tags = "chainvisor;cv-c-prod;cv-n-" + node;
    return c;
}

hosts::ContainerSpec specFor(int vmid, const std::string& node) {
    hosts::ContainerSpec s;
    s.vmid = vmid;
    s.pveNode = "pve1";
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

Reply doesNotExist(int vmid, const std::string& node = "pve1") {
    return error(500, "Configuration file 'nodes/" + node + "/lxc/" + std::to_string(vmid) +
                          ".conf' does not exist");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Observation

TEST_CASE("observe reads containers back into spec values", "[proxmox][observe]") {
    Fixture f;
    Ct ours = val(101);
    Ct unowned = val(102, "web");
    unowned.tags = "web";
    unowned.status = "stopped";
    unowned.net0 = "name=eth0,bridge=vmbr1,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth";
    unowned.lock = "backup";
    Ct other = val(103, "val3");
    other.node = "pve2";
    other.status = "unknown";  // pvestatd has not reported yet
    other.tags = "chainvisor;cv-c-test;cv-n-val3";
    Ct vm = val(200);
    vm.type = "qemu";
    Ct elsewhere = val(104);
    elsewhere.node = "pve3";  // not one of this host's nodes
    scriptWorld(f.http, {ours, unowned, other, vm, elsewhere},
                {{"pve1", "online"}, {"pve2", "online"}, {"pve3", "online"}});

    const auto host = f.observe();
    CHECK(host.name == "lab");
    CHECK(host.reachable);
    CHECK(host.containersOnly);
    CHECK_FALSE(f.host.entersContainers());
    CHECK(host.offlinePveNodes.empty());
    REQUIRE(host.containers.size() == 3);

    const auto& a = host.containers[0];
    CHECK(a.vmid == 101);
    CHECK(a.pveNode == "pve1");
    CHECK(a.power == plan::PowerState::Running);
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
    CHECK(a.lock.empty());

    const auto& b = host.containers[1];
    CHECK(b.vmid == 102);
    CHECK_FALSE(b.owner);
    CHECK(b.power == plan::PowerState::Stopped);
    CHECK_FALSE(b.ip);
    CHECK(b.bridge == "vmbr1");
    CHECK(b.lock == "backup");

    const auto& c = host.containers[2];
    CHECK(c.vmid == 103);
    CHECK(c.pveNode == "pve2");
    CHECK(c.power == plan::PowerState::Running);  // confirmed by status/current
    REQUIRE(c.owner);
    CHECK(c.owner->cluster == "test");

    CHECK(f.http.count(ctKey("GET", 103, "/status/current", "pve2")) == 1);
    CHECK(f.http.count(ctKey("GET", 200, "/config")) == 0);
    CHECK(f.http.count(ctKey("GET", 104, "/config", "pve3")) == 0);
}

TEST_CASE("an unconfirmed 'unknown' status stays Unknown", "[proxmox][observe]") {
    Fixture f;
    Ct ct = val(101);
    ct.status = "unknown";
    scriptWorld(f.http, {ct});
    f.http.on(ctKey("GET", 101, "/status/current"), error(500, "got timeout"), true);
    const auto host = f.observe();
    REQUIRE(host.containers.size() == 1);
    CHECK(host.containers[0].power == plan::PowerState::Unknown);
}

TEST_CASE("offline nodes are reported and their containers are not read", "[proxmox][observe]") {
    Fixture f;
    Ct a = val(101);
    Ct b = val(102, "val2");
    b.node = "pve2";
    b.status = "unknown";
    scriptWorld(f.http, {a, b}, {{"pve1", "online"}, {"pve2", "offline"}});
    const auto host = f.observe();
    CHECK(host.offlinePveNodes == std::set<std::string>{"pve2"});
    REQUIRE(host.containers.size() == 2);
    CHECK(host.containers[1].power == plan::PowerState::Unknown);
    CHECK(host.containers[1].pveNode == "pve2");
    CHECK(f.http.count(ctKey("GET", 102, "/config", "pve2")) == 0);
    CHECK(f.http.count(ctKey("GET", 102, "/status/current", "pve2")) == 0);

    SECTION("a pveNode missing from the cluster counts as offline") {
        scriptWorld(f.http, {a}, {{"pve1", "online"}});
        CHECK(f.observe().offlinePveNodes == std::set<std::string>{"pve2"});
    }
}

TEST_CASE("a steady-state pass costs a handful of requests, however many containers",
          "[proxmox][observe][cache]") {
    Fixture f;
    std::vector<Ct> cts;
    for (int v = 1000; v < 1200; ++v) {
        Ct c = val(v, "n" + std::to_string(v));
        c.node = v % 2 ? "pve1" : "pve2";
        cts.push_back(c);
    }
    scriptWorld(f.http, cts);
    CHECK(f.observe().containers.size() == 200);
    CHECK(f.http.count() == 202);  // the first pass reads every config once

    std::set<std::string> refreshed;
    for (int pass = 0; pass < 100; ++pass) {
        f.http.clearRecords();
        const auto host = f.observe();
        REQUIRE(host.containers.size() == 200);
        CHECK(f.http.count() <= 5);
        CHECK(f.http.count("GET /cluster/resources") == 1);
        CHECK(f.http.count("GET /nodes") == 1);
        for (const auto& r : f.http.requests()) {
            refreshed.insert(r.path);
        }
    }
    // The trickle of refreshes has come round to every container.
    CHECK(refreshed.size() == 2 + 200);
}

TEST_CASE("the config cache: outside changes and our own changes are read again",
          "[proxmox][observe][cache]") {
    auto o = hostOptions();
    o.configRefreshPerPass = 0;
    Fixture f(o);
    Ct a = val(101);
    Ct b = val(102, "val2");
    scriptWorld(f.http, {a, b});
    f.observe();
    f.http.clearRecords();
    f.observe();
    CHECK(f.http.count() == 2);  // nothing due

    // Someone gives 101 more memory: /cluster/resources shows it, the config is read again.
    a.memory = 4096;
    scriptWorld(f.http, {a, b});
    f.http.clearRecords();
    auto host = f.observe();
    CHECK(f.http.count(ctKey("GET", 101, "/config")) == 1);
    CHECK(f.http.count(ctKey("GET", 102, "/config")) == 0);
    CHECK(host.containers[0].resources.memoryMiB == 4096);

    // An outside change the listing cannot show (the address) waits for the refresh trickle…
    b.net0 = "name=eth0,bridge=vmbr0,ip=10.0.0.99/24";
    scriptWorld(f.http, {a, b});
    CHECK(f.observe().containers[1].ip->str() == "10.0.0.11/24");

    // …but our own change is read at once.
    f.http.on(ctKey("PUT", 102, "/config"), ok("null"));
    auto s = specFor(102, "val2");
    s.resources.memoryMiB = 4096;
    b.memory = 4096;
    scriptWorld(f.http, {a, b});
    succeeded(f.host.update(s, {plan::FieldChange{"memory", "2048", "4096", true}}));
    f.http.clearRecords();
    host = f.observe();
    CHECK(f.http.count(ctKey("GET", 102, "/config")) == 1);
    CHECK(host.containers[1].ip->str() == "10.0.0.99/24");

    // A container that is gone leaves the cache; when it is back it is read again.
    scriptWorld(f.http, {a});
    f.observe();
    scriptWorld(f.http, {a, b});
    f.http.clearRecords();
    f.observe();
    CHECK(f.http.count(ctKey("GET", 102, "/config")) == 1);
}

TEST_CASE("a config read that races our own update is not cached", "[proxmox][observe][cache]") {
    auto o = hostOptions();
    o.configRefreshPerPass = 0;
    Fixture f(o);
    Ct a = val(101);
    scriptWorld(f.http, {a});
    f.observe();

    a.memory = 4096;  // changed outside: the next pass reads 101's config…
    scriptWorld(f.http, {a});
    f.http.on(ctKey("PUT", 101, "/config"), ok("null"));
    auto s = specFor(101, "val1");
    s.resources.swapMiB = 1024;
    // …and while that read is under way, an update of ours changes it again.
    f.http.once(ctKey("GET", 101, "/config"), [&] {
        succeeded(f.host.update(s, {plan::FieldChange{"swap", "512", "1024", true}}));
    });
    f.observe();
    f.http.clearRecords();
    f.observe();
    CHECK(f.http.count(ctKey("GET", 101, "/config")) == 1);  // read again after our change
}

TEST_CASE("an empty list after a non-empty one is not believed unless confirmed",
          "[proxmox][observe]") {
    Fixture f;
    scriptWorld(f.http, {val(101), val(102, "val2")});
    CHECK(f.observe().containers.size() == 2);
    f.http.on("GET /cluster/resources", ok("[]"), true);

    SECTION("the token lost VM.Audit: blind") {
        f.http.on(ctKey("GET", 101, "/status/current"),
                  error(403, "Permission check failed (/vms/101, VM.Audit)"), true);
        const auto e = failed(f.host.observe());
        CHECK_THAT(e.message, Catch::Contains("the API listed no containers where 2 were seen") &&
                                  Catch::Contains("may lack VM.Audit") &&
                                  Catch::Contains("Permission check failed"));
    }
    SECTION("a container that still answers: blind") {
        const auto e = failed(f.host.observe());
        CHECK_THAT(e.message, Catch::Contains("CT 101 still answers"));
    }
    SECTION("every container asked is really gone: the empty list stands") {
        f.http.on(ctKey("GET", 101, "/status/current"), doesNotExist(101), true);
        f.http.on(ctKey("GET", 102, "/status/current"), doesNotExist(102), true);
        const auto host = f.observe();
        CHECK(host.reachable);
        CHECK(host.containers.empty());
        // And from now on, empty is the normal state.
        f.http.clearRecords();
        f.observe();
        CHECK(f.http.count() == 2);
    }
    SECTION("nothing seen before (a fresh start): taken as it is") {
        Fixture fresh;
        scriptWorld(fresh.http, {});
        CHECK(fresh.observe().containers.empty());
    }
}

TEST_CASE("an API that cannot be reached: observe fails, then fails fast, then recovers",
          "[proxmox][observe][circuit]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    f.observe();
    f.http.failAll("connect 192.0.2.10:8006: Connection refused");
    auto e = failed(f.host.observe());
    CHECK(e.kind == ErrorKind::Transient);
    CHECK(e.message == "lab: GET /cluster/resources: connect 192.0.2.10:8006: Connection refused");
    CHECK(f.host.circuitOpen());

    f.http.clearRecords();
    e = failed(f.host.observe());
    CHECK_THAT(e.message, Catch::StartsWith("lab: API unreachable since 0s ago") &&
                              Catch::EndsWith("next try in 2s"));
    e = failed(f.host.start(101));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK_THAT(e.message, Catch::Contains("API unreachable"));
    CHECK(f.http.count() == 0);  // failing fast: nothing sent

    f.timing.advance(2s);
    failed(f.host.observe());  // the probe fails: the next try is in 4 s
    CHECK(f.http.count() == 1);
    CHECK(f.http.requests()[0].key() == "GET /version");
    f.timing.advance(2s);
    failed(f.host.observe());
    CHECK(f.http.count() == 1);

    f.http.clearFailAll();
    f.http.on("GET /version", ok(R"({"version":"8.3.0"})"));
    f.timing.advance(2s);
    CHECK(f.observe().containers.size() == 1);
    CHECK_FALSE(f.host.circuitOpen());
}

TEST_CASE("401: the message names the token, never the secret", "[proxmox][secret]") {
    Fixture f;
    f.http.on("GET /cluster/resources", error(401, "Authentication failed!"));
    const auto e = failed(f.host.observe());
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK_THAT(e.message, Catch::Contains("authentication failed for token root@pam!cv"));
    // The secret went where it belongs, and nowhere else.
    const auto r = f.http.requests().at(0);
    CHECK(r.headers.at("Authorization") == "PVEAPIToken=root@pam!cv=" + kSecret);
    CHECK(r.query.find(kSecret) == std::string::npos);
    CHECK(r.body.find(kSecret) == std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Create

TEST_CASE("create posts exactly the expected parameters and waits for the task",
          "[proxmox][create]") {
    Fixture f;
    f.http.on(ctKey("GET", 105, "/config"), doesNotExist(105));
    scriptTask(f.http, "POST /nodes/pve1/lxc", "pve1", "vzcreate", 105);
    succeeded(f.host.create(specFor(105, "val5")));

    const auto posts = f.sent("POST /nodes/pve1/lxc");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].form() ==
          Params{{"vmid", "105"},
                 {"ostemplate", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"},
                 {"hostname", "val5"},
                 {"cores", "2"},
                 {"memory", "2048"},
                 {"swap", "512"},
                 {"rootfs", "local-lvm:16"},
                 {"net0", "name=eth0,bridge=vmbr0,ip=10.0.0.15/24,gw=10.0.0.1"},
                 {"unprivileged", "1"},
                 {"features", "nesting=1"},
                 {"onboot", "1"},
                 {"tags", "chainvisor;cv-c-prod;cv-n-val5"}});
    CHECK(posts[0].body ==
          "vmid=105&ostemplate=local%3Avztmpl%2Fdebian-12-standard_12.7-1_amd64.tar.zst"
          "&hostname=val5&cores=2&memory=2048&swap=512&rootfs=local-lvm%3A16"
          "&net0=name%3Deth0%2Cbridge%3Dvmbr0%2Cip%3D10.0.0.15%2F24%2Cgw%3D10.0.0.1"
          "&unprivileged=1&features=nesting%3D1&onboot=1"
          "&tags=chainvisor%3Bcv-c-prod%3Bcv-n-val5");
    CHECK(f.http.count(taskStatusKey(upid("pve1", "vzcreate", 105))) == 2);
    CHECK(f.http.count("GET /cluster/nextid") == 0);

    SECTION("without an address: dhcp") {
        Fixture g;
        g.http.on(ctKey("GET", 106, "/config"), doesNotExist(106));
        scriptTask(g.http, "POST /nodes/pve1/lxc", "pve1", "vzcreate", 106);
        auto s = specFor(106, "val6");
        s.ip.reset();
        s.gateway.reset();
        succeeded(g.host.create(s));
        CHECK(g.sent("POST /nodes/pve1/lxc")[0].form().at("net0") ==
              "name=eth0,bridge=vmbr0,ip=dhcp");
    }
}

TEST_CASE("create retried after its answer was lost finds the container and posts nothing",
          "[proxmox][create]") {
    Fixture f;
    f.http.on(ctKey("GET", 105, "/config"), doesNotExist(105));
    f.http.on("POST /nodes/pve1/lxc", transport("read: Connection reset by peer"));
    auto e = failed(f.host.create(specFor(105, "val5")));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK(f.http.count("POST /nodes/pve1/lxc") == 1);

    // Meanwhile Proxmox made it: first still under its create lock, then done.
    Ct made = val(105, "val5");
    made.status = "stopped";
    made.lock = "create";
    f.http.on(ctKey("GET", 105, "/config"), ok(configJson(made)), true);
    made.lock.clear();
    f.http.on(ctKey("GET", 105, "/config"), ok(configJson(made)));
    f.http.on("GET /version", ok(R"({"version":"8.3.0"})"));
    f.timing.advance(2s);  // the circuit's backoff

    succeeded(f.host.create(specFor(105, "val5")));
    CHECK(f.http.count("POST /nodes/pve1/lxc") == 1);
    CHECK(f.http.count(ctKey("GET", 105, "/config")) == 3);
}

TEST_CASE("create: 'already exists' is success when ours, an error naming the owner otherwise",
          "[proxmox][create]") {
    Fixture f;
    // Not there at first look; made by someone in between.
    f.http.on(ctKey("GET", 105, "/config"), doesNotExist(105));
    f.http.on("POST /nodes/pve1/lxc",
              error(400, "Parameter verification failed.",
                    R"({"data":null,"errors":{"vmid":"VM 105 already exists"}})"));
    Ct there = val(105, "val5");

    SECTION("ours") {
        f.http.on(ctKey("GET", 105, "/config"), ok(configJson(there)));
        succeeded(f.host.create(specFor(105, "val5")));
    }
    SECTION("another cluster's") {
        there.tags = "chainvisor;cv-c-test;cv-n-val5";
        f.http.on(ctKey("GET", 105, "/config"), ok(configJson(there)));
        const auto e = failed(f.host.create(specFor(105, "val5")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(e.message ==
              "lab: CT 105: already exists on pve1 and belongs to cluster test (node "
              "val5), not to cluster prod (node val5)");
    }
    SECTION("nobody's") {
        there.tags = "web";
        f.http.on(ctKey("GET", 105, "/config"), ok(configJson(there)));
        const auto e = failed(f.host.create(specFor(105, "val5")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK_THAT(e.message, Catch::Contains("was not created by chainvisor (tags: web)"));
    }
    SECTION("on another node") {
        f.http.on("POST /nodes/pve1/lxc",
                  error(500, "unable to create CT 105 - CT 105 already exists on node 'pve2'"),
                  true);
        there.node = "pve2";
        f.http.on("GET /cluster/resources", ok(resourcesJson({there})));
        f.http.on(ctKey("GET", 105, "/config", "pve2"), ok(configJson(there)));
        const auto e = failed(f.host.create(specFor(105, "val5")));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK_THAT(e.message, Catch::Contains("already exists on pve2, not on pve1"));
    }
    CHECK(f.http.count("POST /nodes/pve1/lxc") <= 1);
}

TEST_CASE("create: an existing container of ours is success without a request to make it",
          "[proxmox][create]") {
    Fixture f;
    f.http.on(ctKey("GET", 105, "/config"), ok(configJson(val(105, "val5"))));
    succeeded(f.host.create(specFor(105, "val5")));
    CHECK(f.http.count("POST /nodes/pve1/lxc") == 0);
}

TEST_CASE("create: a failed task reports the log's tail", "[proxmox][create][tasks]") {
    Fixture f;
    f.http.on(ctKey("GET", 105, "/config"), doesNotExist(105));
    const std::string exit = "unable to create CT 105 - storage 'fast' does not exist";
    scriptTask(f.http, "POST /nodes/pve1/lxc", "pve1", "vzcreate", 105, exit);
    const std::string u = upid("pve1", "vzcreate", 105);
    f.http.on(
        "GET /nodes/pve1/tasks/" + percentEncode(u) + "/log",
        ok(R"([{"n":1,"t":"extracting archive"},{"n":2,"t":"storage 'fast' does not exist"},{"n":3,"t":"TASK ERROR: )" +
               exit + "\"}]",
           ",\"total\":3"));
    const auto e = failed(f.host.create(specFor(105, "val5")));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK(e.message == "lab: CT 105: vzcreate task for 105 on pve1 failed: " + exit +
                           " (log: extracting archive | storage 'fast' does not exist)");
}

TEST_CASE("create: parameter errors are Permanent and name the parameters", "[proxmox][create]") {
    Fixture f;
    f.http.on(ctKey("GET", 105, "/config"), doesNotExist(105));
    f.http.on(
        "POST /nodes/pve1/lxc",
        error(
            400, "Parameter verification failed.",
            R"({"data":null,"errors":{"ostemplate":"no such template\n","hostname":"invalid format - value does not look like a valid DNS name\n"}})"));
    const auto e = failed(f.host.create(specFor(105, "val5")));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(e.message ==
          "lab: CT 105: POST /nodes/pve1/lxc: 400 Parameter verification failed.: hostname: "
          "invalid format - value does not look like a valid DNS name; ostemplate: no such "
          "template");
}

TEST_CASE("create refuses what Proxmox or the marker cannot hold", "[proxmox][create]") {
    Fixture f;
    auto s = specFor(99, "val5");
    CHECK(failed(f.host.create(s)).kind == ErrorKind::Permanent);
    s = specFor(105, "val5");
    s.pveNode = "pve9";
    CHECK_THAT(failed(f.host.create(s)).message, Catch::Contains("not one of this host's"));
    s = specFor(105, "val5");
    s.osTemplate.clear();
    CHECK_THAT(failed(f.host.create(s)).message, Catch::Contains("no osTemplate"));
    s = specFor(105, "val5");
    s.owner.cluster = "other";
    CHECK_THAT(failed(f.host.create(s)).message, Catch::Contains("serves cluster prod"));
    CHECK(f.http.count() == 0);
}

// ---------------------------------------------------------------------------------------------
// Power

TEST_CASE("start: waits for the task and confirms the state", "[proxmox][power]") {
    Fixture f;
    Ct ct = val(101);
    ct.status = "stopped";
    scriptWorld(f.http, {ct});
    scriptTask(f.http, ctKey("POST", 101, "/status/start"), "pve1", "vzstart", 101);
    f.http.on(ctKey("GET", 101, "/status/current"), ok(R"({"status":"stopped"})"), true);
    f.http.on(ctKey("GET", 101, "/status/current"), ok(R"({"status":"running"})"));
    succeeded(f.host.start(101));
    CHECK(f.http.count(ctKey("POST", 101, "/status/start")) == 1);
    CHECK(f.http.count(ctKey("GET", 101, "/status/current")) == 2);
    // Without an observation the container was found through /cluster/resources.
    CHECK(f.http.count("GET /cluster/resources") == 1);
}

TEST_CASE("start: 'already running' is success", "[proxmox][power]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    f.observe();
    f.http.clearRecords();
    f.http.on(ctKey("POST", 101, "/status/start"), error(500, "CT 101 already running"));
    succeeded(f.host.start(101));
    CHECK(f.http.count() == 2);  // config (ownership), start

    SECTION("also when the task says so") {
        scriptTask(f.http, ctKey("POST", 101, "/status/start"), "pve1", "vzstart", 101,
                   "CT 101 already running");
        succeeded(f.host.start(101));
    }
}

TEST_CASE("locks are Transient", "[proxmox][power]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    f.observe();

    SECTION("reported by the call") {
        f.http.on(ctKey("POST", 101, "/status/start"), error(500, "CT is locked (backup)"));
        const auto e = failed(f.host.start(101));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(e.message ==
              "lab: CT 101: POST /nodes/pve1/lxc/101/status/start: 500 CT is locked (backup)");
    }
    SECTION("the config lock's timeout") {
        f.http.on(ctKey("POST", 101, "/status/shutdown"),
                  error(500, "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout"));
        CHECK(failed(f.host.stop(101, 30s)).kind == ErrorKind::Transient);
        CHECK(f.http.count(ctKey("POST", 101, "/status/stop")) == 0);  // no hard stop for that
    }
    SECTION("seen in the config: nothing is sent") {
        Ct locked = val(101);
        locked.lock = "snapshot";
        scriptWorld(f.http, {locked});
        f.http.clearRecords();
        const auto e = failed(f.host.start(101));
        CHECK(e.kind == ErrorKind::Transient);
        CHECK_THAT(e.message,
                   Catch::Contains("is locked (snapshot)") && Catch::Contains("pct unlock 101"));
        CHECK(f.http.count(ctKey("POST", 101, "/status/start")) == 0);
    }
}

TEST_CASE("stop: graceful shutdown with the grace, forced after it", "[proxmox][power]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    f.observe();
    scriptTask(f.http, ctKey("POST", 101, "/status/shutdown"), "pve1", "vzshutdown", 101);
    f.http.on(ctKey("GET", 101, "/status/current"), ok(R"({"status":"stopped"})"), true);
    succeeded(f.host.stop(101, 45s));
    const auto posts = f.sent(ctKey("POST", 101, "/status/shutdown"));
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].form() == Params{{"timeout", "45"}, {"forceStop", "1"}});
    CHECK(f.http.count(ctKey("POST", 101, "/status/stop")) == 0);

    SECTION("a failed shutdown falls back to a hard stop") {
        scriptTask(f.http, ctKey("POST", 101, "/status/shutdown"), "pve1", "vzshutdown", 101,
                   "command 'lxc-stop' failed: exit code 1");
        f.http.on(
            "GET /nodes/pve1/tasks/" + percentEncode(upid("pve1", "vzshutdown", 101)) + "/log",
            ok("[]", ",\"total\":0"));
        scriptTask(f.http, ctKey("POST", 101, "/status/stop"), "pve1", "vzstop", 101);
        succeeded(f.host.stop(101, 45s));
        CHECK(f.http.count(ctKey("POST", 101, "/status/stop")) == 1);
    }
    SECTION("'not running' is success") {
        f.http.clearRecords();
        f.http.on(ctKey("POST", 101, "/status/shutdown"), error(500, "CT 101 not running"), true);
        succeeded(f.host.stop(101, 45s));
        CHECK(f.http.count(ctKey("POST", 101, "/status/stop")) == 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Ownership

TEST_CASE("containers without our marker are not touched", "[proxmox][ownership]") {
    Fixture f;
    Ct unowned = val(102, "web");
    unowned.tags = "web";
    Ct foreign = val(103, "val3");
    foreign.tags = "chainvisor;cv-c-test;cv-n-val3";
    scriptWorld(f.http, {unowned, foreign});
    f.observe();
    f.http.clearRecords();

    auto e = failed(f.host.start(102));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(e.message ==
          "lab: CT 102: on pve1 has no chainvisor marker (tags: web): not created by "
          "chainvisor; refusing to start it (adopt: true takes it over)");
    CHECK(failed(f.host.stop(102, 10s)).kind == ErrorKind::Permanent);
    CHECK(failed(f.host.destroy(102)).kind == ErrorKind::Permanent);
    CHECK(failed(f.host.resizeDisk(102, 32)).kind == ErrorKind::Permanent);
    CHECK(failed(f.host.snapshot(102, "before")).kind == ErrorKind::Permanent);
    CHECK(failed(f.host.rollback(102, "before")).kind == ErrorKind::Permanent);
    auto s = specFor(102, "web");
    CHECK(failed(f.host.update(s, {plan::FieldChange{"memory", "2048", "4096", true}})).kind ==
          ErrorKind::Permanent);

    e = failed(f.host.destroy(103));
    CHECK(e.message ==
          "lab: CT 103: on pve1 belongs to cluster test (node val3); refusing to "
          "destroy it");
    auto s3 = specFor(103, "val3");
    CHECK(failed(f.host.update(s3, {plan::FieldChange{"memory", "2048", "4096", true}})).kind ==
          ErrorKind::Permanent);

    for (const auto& r : f.http.requests()) {
        INFO(r.key());
        CHECK(r.method == net::Method::Get);  // only looked
    }
}

TEST_CASE("adopting writes the marker, keeping other tags", "[proxmox][ownership]") {
    Fixture f;
    Ct unowned = val(102, "web");
    unowned.tags = "web";
    unowned.digest = "feedbeef";
    scriptWorld(f.http, {unowned});
    f.http.on(ctKey("PUT", 102, "/config"), ok("null"));
    succeeded(
        f.host.update(specFor(102, "val2"), {plan::FieldChange{"owner", "", "prod/val2", true}}));
    const auto puts = f.sent(ctKey("PUT", 102, "/config"));
    REQUIRE(puts.size() == 1);
    CHECK(puts[0].form() ==
          Params{{"tags", "chainvisor;cv-c-prod;cv-n-val2;web"}, {"digest", "feedbeef"}});

    SECTION("from another node of this cluster") {
        Ct marked = val(102, "old");
        scriptWorld(f.http, {marked});
        succeeded(f.host.update(specFor(102, "val2"),
                                {plan::FieldChange{"owner", "prod/old", "prod/val2", true}}));
        CHECK(f.sent(ctKey("PUT", 102, "/config")).back().form().at("tags") ==
              "chainvisor;cv-c-prod;cv-n-val2");
    }
    SECTION("never from another cluster") {
        Ct foreign = val(102, "val2");
        foreign.tags = "chainvisor;cv-c-test;cv-n-val2";
        scriptWorld(f.http, {foreign});
        const auto e = failed(f.host.update(specFor(102, "val2"),
                                            {plan::FieldChange{"owner", "", "prod/val2", true}}));
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK_THAT(e.message, Catch::Contains("another chainvisor's marker"));
        CHECK(f.sent(ctKey("PUT", 102, "/config")).size() == 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Update, resize, snapshots, destroy

TEST_CASE("update: live memory, digest from a fresh read, conflicts retried", "[proxmox][update]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    auto s = specFor(101, "val1");
    s.resources.memoryMiB = 4096;
    s.resources.swapMiB = 1024;
    f.http.on(ctKey("PUT", 101, "/config"),
              error(500,
                    "detected modified configuration - file changed by other user? Try "
                    "again."));
    f.http.on(ctKey("PUT", 101, "/config"), ok("null"));
    succeeded(f.host.update(s, {plan::FieldChange{"memory", "2048", "4096", true},
                                plan::FieldChange{"swap", "512", "1024", true}}));
    const auto puts = f.sent(ctKey("PUT", 101, "/config"));
    REQUIRE(puts.size() == 2);
    CHECK(puts[1].form() == Params{{"memory", "4096"}, {"swap", "1024"}, {"digest", "0123abcd"}});
    CHECK(f.http.count(ctKey("GET", 101, "/config")) == 2);
    CHECK(f.http.count(ctKey("GET", 101, "/status/current")) == 0);  // live: no need to ask

    SECTION("a conflict that persists is Transient") {
        f.http.on(ctKey("PUT", 101, "/config"),
                  error(500,
                        "detected modified configuration - file changed by other user? Try "
                        "again."),
                  true);
        CHECK(failed(f.host.update(s, {plan::FieldChange{"memory", "2048", "4096", true}})).kind ==
              ErrorKind::Transient);
    }
}

TEST_CASE("update: restart fields only on a stopped container", "[proxmox][update]") {
    Fixture f;
    Ct ct = val(101);
    scriptWorld(f.http, {ct});
    auto s = specFor(101, "val1");
    s.resources.cores = 4;
    s.hostname = "val1b";
    s.ip = spec::Ipv4Cidr::parse("10.0.0.21/24");
    const std::vector<plan::FieldChange> changes = {{"cores", "2", "4", false},
                                                    {"hostname", "val1", "val1b", false},
                                                    {"ip", "10.0.0.11/24", "10.0.0.21/24", false}};
    const auto e = failed(f.host.update(s, changes));
    CHECK(e.kind == ErrorKind::Transient);
    CHECK_THAT(e.message, Catch::Contains("cores, hostname, ip cannot change while it is running"));
    CHECK(f.http.count(ctKey("PUT", 101, "/config")) == 0);

    ct.status = "stopped";
    scriptWorld(f.http, {ct});
    f.http.on(ctKey("PUT", 101, "/config"), ok("null"));
    succeeded(f.host.update(s, changes));
    CHECK(f.sent(ctKey("PUT", 101, "/config")).back().form() ==
          Params{{"cores", "4"},
                 {"hostname", "val1b"},
                 {"net0",
                  "name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.0.0.21/24,"
                  "type=veth"},
                 {"digest", "0123abcd"}});
}

TEST_CASE("resizeDisk grows to an absolute size and never shrinks", "[proxmox][resize]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    scriptTask(f.http, ctKey("PUT", 101, "/resize"), "pve1", "resize", 101);
    succeeded(f.host.resizeDisk(101, 32));
    CHECK(f.sent(ctKey("PUT", 101, "/resize")).at(0).form() ==
          Params{{"disk", "rootfs"}, {"size", "32G"}});
    f.http.clearRecords();
    succeeded(f.host.resizeDisk(101, 16));  // already that size
    CHECK(failed(f.host.resizeDisk(101, 8)).kind == ErrorKind::Permanent);
    CHECK(f.http.count(ctKey("PUT", 101, "/resize")) == 0);
}

TEST_CASE("snapshot and rollback", "[proxmox][snapshot]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    f.http.on(
        ctKey("GET", 101, "/snapshot"),
        ok(R"([{"name":"pre-upgrade","snaptime":1700000000},{"name":"current","running":1}])"));
    succeeded(f.host.snapshot(101, "pre-upgrade"));  // there already
    CHECK(f.http.count(ctKey("POST", 101, "/snapshot")) == 0);

    scriptTask(f.http, ctKey("POST", 101, "/snapshot"), "pve1", "vzsnapshot", 101);
    succeeded(f.host.snapshot(101, "pre-restart"));
    CHECK(f.sent(ctKey("POST", 101, "/snapshot")).at(0).form() ==
          Params{{"snapname", "pre-restart"}});

    CHECK_THAT(failed(f.host.rollback(101, "nope")).message, Catch::Contains("no snapshot named"));
    scriptTask(f.http, ctKey("POST", 101, "/snapshot/pre-upgrade/rollback"), "pve1", "vzrollback",
               101);
    succeeded(f.host.rollback(101, "pre-upgrade"));
    CHECK(failed(f.host.snapshot(101, "current")).kind == ErrorKind::Permanent);
}

TEST_CASE("destroy purges ours and a missing container is success", "[proxmox][destroy]") {
    Fixture f;
    scriptWorld(f.http, {val(101)});
    f.observe();
    scriptTask(f.http, ctKey("DELETE", 101), "pve1", "vzdestroy", 101);
    succeeded(f.host.destroy(101));
    CHECK(f.sent(ctKey("DELETE", 101)).at(0).form() == Params{{"purge", "1"}, {"force", "1"}});

    f.http.on(ctKey("GET", 101, "/config"), doesNotExist(101), true);
    f.http.on("GET /cluster/resources", ok("[]"), true);
    f.http.clearRecords();
    succeeded(f.host.destroy(101));
    CHECK(f.http.count(ctKey("DELETE", 101)) == 0);
}

TEST_CASE("commands inside containers need SSH", "[proxmox]") {
    Fixture f;
    CHECK_FALSE(f.host.entersContainers());
    auto e = failed(f.host.exec(101, {"true"}, 1s));
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(e.message ==
          "lab: CT 101: cannot run a command in it: entering containers on Proxmox needs SSH "
          "(hosts[].ssh)");
    CHECK(failed(f.host.writeFile(101, hosts::FileWrite{"/etc/x", "secret", 0600})).kind ==
          ErrorKind::Permanent);
    CHECK(f.http.count() == 0);
}

namespace {

// Records what reaches it; answers exec with the vmid and the program.
struct RecordingEntry final : hosts::ContainerEntry {
    std::vector<std::pair<int, std::vector<std::string>>> execs;
    std::vector<std::pair<int, hosts::FileWrite>> writes;
    hosts::Result<hosts::ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                                          std::chrono::milliseconds) override {
        execs.emplace_back(vmid, argv);
        return hosts::ExecResult{7, std::to_string(vmid) + ":" + argv.at(0), ""};
    }
    hosts::Result<void> writeFile(int vmid, const hosts::FileWrite& file) override {
        writes.emplace_back(vmid, file);
        return {};
    }
};

struct EntryFixture {
    ScriptedHttpClient http;
    ManualTiming timing;
    RecordingEntry pve1;
    RecordingEntry pve2;
    ProxmoxHost host{hostOptions(), http, timing, {{"pve1", &pve1}, {"pve2", &pve2}}};
};

}  // namespace

TEST_CASE("commands and files go to the entry of the container's node", "[proxmox][entry]") {
    EntryFixture f;
    CHECK(f.host.entersContainers());
    Ct a = val(101);
    Ct b = val(102, "val2");
    b.node = "pve2";
    Ct stranger = val(103, "x");
    stranger.tags = "web";
    scriptWorld(f.http, {a, b, stranger});
    succeeded(f.host.observe());
    f.http.clearRecords();

    // Known from the observation: no request at all.
    auto r = f.host.exec(102, {"systemctl", "is-active", "web"}, 5s);
    succeeded(r);
    CHECK(r.value().exitCode == 7);
    CHECK(r.value().out == "102:systemctl");
    REQUIRE(f.pve2.execs.size() == 1);
    CHECK(f.pve2.execs[0].second == std::vector<std::string>{"systemctl", "is-active", "web"});
    CHECK(f.pve1.execs.empty());
    succeeded(f.host.writeFile(101, hosts::FileWrite{"/etc/web.conf", "k=v", 0640}));
    REQUIRE(f.pve1.writes.size() == 1);
    CHECK(f.pve1.writes[0].second.content == "k=v");
    CHECK(f.http.count() == 0);

    // Not ours: refused before anything reaches the node.
    auto refused = failed(f.host.exec(103, {"true"}, 5s));
    CHECK(refused.kind == ErrorKind::Permanent);
    CHECK_THAT(refused.message, Catch::Contains("has no chainvisor marker"));
    CHECK(f.pve1.execs.empty());
}

TEST_CASE("an entry for every pveNode is needed to enter containers", "[proxmox][entry]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    RecordingEntry pve1;
    ProxmoxHost host(hostOptions(), http, timing, {{"pve1", &pve1}});
    CHECK_FALSE(host.entersContainers());
}

TEST_CASE("calls for different containers may run at once", "[proxmox][concurrency]") {
    Fixture f;
    std::vector<Ct> cts;
    for (int v = 101; v <= 108; ++v) {
        cts.push_back(val(v, "n" + std::to_string(v)));
    }
    scriptWorld(f.http, cts);
    for (const auto& ct : cts) {
        f.http.on(ctKey("POST", ct.vmid, "/status/start"),
                  error(500, "CT " + std::to_string(ct.vmid) + " already running"));
    }
    f.observe();
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (const auto& ct : cts) {
        threads.emplace_back([&, vmid = ct.vmid] {
            for (int i = 0; i < 20; ++i) {
                good += f.host.start(vmid).ok() ? 1 : 0;
            }
        });
    }
    threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) {
            good += f.host.observe().ok() ? 1 : 0;
        }
    });
    for (auto& t : threads) {
        t.join();
    }
    CHECK(good == 8 * 20 + 20);
}

TEST_CASE("options come from the spec's host entry and the secret the daemon read",
          "[proxmox][options]") {
    spec::Host h;
    h.name = "lab";
    h.type = spec::HostType::Proxmox;
    h.api = spec::ApiEndpoint{
        "https://pve1.example:8006/api2/json", "root@pam!cv", "PVE_SECRET", "", {}};
    h.pveNodes = {"pve1", "pve2"};
    const auto o = proxmoxHostOptions(h, "prod", kSecret);
    CHECK(o.name == "lab");
    CHECK(o.clusterName == "prod");
    CHECK(o.pveNodes == std::vector<std::string>{"pve1", "pve2"});
    CHECK(o.api.basePath == "/api2/json");
    CHECK(o.api.tokenId == "root@pam!cv");
    CHECK(o.api.tokenSecret == kSecret);
}
