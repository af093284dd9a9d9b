// The pure pieces of the Proxmox provider: form encoding, UPIDs, marker tags, config parsing,
// the listing parsers, the config cache's choice, the circuit breaker.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "hosts/proxmox/api_client.h"
#include "hosts/proxmox/circuit.h"
#include "hosts/proxmox/config_cache.h"
#include "hosts/proxmox/ct_config.h"
#include "hosts/proxmox/form.h"
#include "hosts/proxmox/marker.h"
#include "hosts/proxmox/resources.h"
#include "hosts/proxmox/tasks.h"
#include "scripted_http.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::proxmox;
using namespace std::chrono_literals;

boost::json::object object(const std::string& text) {
    return boost::json::parse(text).as_object();
}

}  // namespace

TEST_CASE("form values are percent-encoded and booleans are 0/1", "[proxmox][form]") {
    Form f;
    f.text("ostemplate", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst")
        .text("net0", "name=eth0,bridge=vmbr0,ip=10.0.0.5/24")
        .text("tags", "chainvisor;cv-c-prod")
        .text("hostname", "a b&c+d")
        .number("memory", 2048)
        .flag("unprivileged", true)
        .flag("start", false);
    CHECK(f.encode() ==
          "ostemplate=local%3Avztmpl%2Fdebian-12-standard_12.7-1_amd64.tar.zst"
          "&net0=name%3Deth0%2Cbridge%3Dvmbr0%2Cip%3D10.0.0.5%2F24"
          "&tags=chainvisor%3Bcv-c-prod&hostname=a%20b%26c%2Bd&memory=2048&unprivileged=1&start=0");
    CHECK(percentEncode("é~") == "%C3%A9~");
}

TEST_CASE("UPIDs are parsed for their node, type and id", "[proxmox][tasks]") {
    const auto u = parseUpid("UPID:pve2:000A1B2C:0012D687:65F1E2D3:vzcreate:101:root@pam!cv:");
    REQUIRE(u);
    CHECK(u->node == "pve2");
    CHECK(u->type == "vzcreate");
    CHECK(u->id == "101");
    CHECK(u->user == "root@pam!cv");
    CHECK(parseUpid("UPID:pve1:0000ABCD:001122334:65A1B2C3:vzstart::root@pam:"));  // 9-digit pstart
    CHECK_FALSE(parseUpid("UPID:pve1:0000ABCD:00112233:65A1B2C3:vzstart:101:root@pam"));
    CHECK_FALSE(parseUpid("UPID:pve1:nothex:00112233:65A1B2C3:vzstart:101:root@pam:"));
    CHECK_FALSE(parseUpid("OK"));
}

TEST_CASE("the marker is three tags, read back from Proxmox's normalised form",
          "[proxmox][marker]") {
    const auto m = parseMarker("CV-N-val1;chainvisor,Backup cv-c-prod");
    REQUIRE(m.owner);
    CHECK(m.owner->cluster == "prod");
    CHECK(m.owner->node == "val1");
    CHECK_FALSE(m.conflicting);

    CHECK_FALSE(parseMarker("").owner);
    CHECK_FALSE(parseMarker("web;prod").owner);
    CHECK_FALSE(parseMarker("cv-c-prod;cv-n-val1").owner);  // no "chainvisor"
    const auto two = parseMarker("chainvisor;cv-c-prod;cv-c-test;cv-n-val1");
    CHECK_FALSE(two.owner);
    CHECK(two.conflicting);
    CHECK(two.clusters == std::set<std::string>{"prod", "test"});

    CHECK(tagsWithMarker("web;cv-n-old;chainvisor;cv-c-prod", {"prod", "val2"}) ==
          "chainvisor;cv-c-prod;cv-n-val2;web");
    CHECK(tagsWithMarker("", {"prod", "val1"}) == "chainvisor;cv-c-prod;cv-n-val1");
    CHECK(taggable("val-1"));
    CHECK_FALSE(taggable("Val"));
    CHECK_FALSE(taggable(""));
}

TEST_CASE("a container config is read back into spec values", "[proxmox][config]") {
    const auto c = parseCtConfig(object(R"({"hostname":"Val1","cores":4,"memory":4096,"swap":1024,
                   "rootfs":"local-lvm:vm-101-disk-0,size=8G",
                   "net0":"name=eth0,bridge=vmbr1,gw=10.0.0.1,hwaddr=BC:24:11:2A:3B:4C,ip=10.0.0.5/24,type=veth",
                   "tags":"chainvisor;cv-c-prod;cv-n-val1","lock":"backup","digest":"d1"})"),
                                 101);
    CHECK(c.hostname == "val1");
    CHECK(c.cores == 4);
    CHECK(c.memoryMiB == 4096);
    CHECK(c.swapMiB == 1024);
    CHECK(c.diskGiB == 8);
    REQUIRE(c.ip);
    CHECK(c.ip->str() == "10.0.0.5/24");
    REQUIRE(c.gateway);
    CHECK(c.gateway->str() == "10.0.0.1");
    CHECK(c.bridge == "vmbr1");
    CHECK(c.lock == "backup");
    CHECK(c.digest == "d1");

    const auto d = parseCtConfig(
        object(
            R"({"rootfs":"local:101/vm-101-disk-0.raw,size=1536M","net0":"name=eth0,bridge=vmbr0,ip=dhcp","memory":"512"})"),
        101);
    CHECK(d.hostname == "ct101");
    CHECK_FALSE(d.cores);
    CHECK(d.memoryMiB == 512);
    CHECK(d.swapMiB == 512);
    CHECK(d.diskGiB == 1);  // 1.5 GiB rounds down
    CHECK_FALSE(d.ip);
    CHECK_FALSE(d.gateway);

    CHECK(diskSizeBytes("2T") == 2 * 1024 * kGiB);
    CHECK(diskSizeBytes("1.5G") == kGiB + kGiB / 2);
    CHECK_FALSE(diskSizeBytes("big"));
}

TEST_CASE("pct config's text is read like the API's JSON", "[proxmox][config]") {
    // As `pct config 101` prints it: sorted keys, no digest, description percent-encoded.
    const std::string text =
        "arch: amd64\n"
        "cores: 4\n"
        "description: made by chainvisor%0Asecond line\n"
        "features: nesting=1\n"
        "hostname: Val1\n"
        "lock: backup\n"
        "memory: 4096\n"
        "net0: name=eth0,bridge=vmbr1,gw=10.0.0.1,hwaddr=BC:24:11:2A:3B:4C,ip=10.0.0.5/24,"
        "type=veth\n"
        "onboot: 1\n"
        "rootfs: local-lvm:vm-101-disk-0,size=8G\n"
        "swap: 1024\n"
        "tags: chainvisor;cv-c-prod;cv-n-val1\n"
        "unprivileged: 1\n"
        "lxc.apparmor.profile: unconfined\n";
    const auto t = parseCtConfigText(text, 101);
    const auto j = parseCtConfig(
        object(R"({"hostname":"Val1","cores":4,"memory":4096,"swap":1024,"lock":"backup",
                   "rootfs":"local-lvm:vm-101-disk-0,size=8G","tags":"chainvisor;cv-c-prod;cv-n-val1",
                   "net0":"name=eth0,bridge=vmbr1,gw=10.0.0.1,hwaddr=BC:24:11:2A:3B:4C,ip=10.0.0.5/24,type=veth"})"),
        101);
    for (const auto* c : {&t, &j}) {
        CHECK(c->hostname == "val1");
        CHECK(c->cores == 4);
        CHECK(c->memoryMiB == 4096);
        CHECK(c->swapMiB == 1024);
        CHECK(c->diskGiB == 8);
        REQUIRE(c->ip);
        CHECK(c->ip->str() == "10.0.0.5/24");
        REQUIRE(c->gateway);
        CHECK(c->gateway->str() == "10.0.0.1");
        CHECK(c->bridge == "vmbr1");
        CHECK(c->lock == "backup");
        CHECK(c->tags == "chainvisor;cv-c-prod;cv-n-val1");
    }
    CHECK(t.net0 == j.net0);
    CHECK(t.digest.empty());

    // Defaults, blanks, a raw .conf with comments and a snapshot section that must not leak in.
    const auto d = parseCtConfigText(
        "# description line\n"
        "  memory:   1024  \r\n"
        "cores: many\n"
        "not a line\n"
        "rootfs: local:101/vm-101-disk-0.raw,size=1536M\n"
        "\n"
        "[before-upgrade]\n"
        "hostname: old-name\n"
        "memory: 64\n"
        "swap: 0\n",
        102);
    CHECK(d.hostname == "ct102");
    CHECK(d.memoryMiB == 1024);
    CHECK_FALSE(d.cores);
    CHECK(d.swapMiB == 512);
    CHECK(d.diskGiB == 1);
    CHECK_FALSE(d.ip);
    CHECK(parseCtConfigText("", 103).hostname == "ct103");
}

TEST_CASE("net0 is written from the spec and keeps the MAC address on update",
          "[proxmox][config]") {
    hosts::ContainerSpec s;
    s.bridge = "vmbr0";
    s.ip = spec::Ipv4Cidr::parse("10.0.0.5/24");
    s.gateway = spec::Ipv4Address::parse("10.0.0.1");
    CHECK(net0For(s) == "name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1");
    s.ip.reset();
    s.gateway.reset();
    CHECK(net0For(s) == "name=eth0,bridge=vmbr0,ip=dhcp");

    s.bridge = "vmbr2";
    s.ip = spec::Ipv4Cidr::parse("10.0.1.7/16");
    CHECK(net0Updated("name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:2A:3B:4C,ip=10.0.0.5/24,"
                      "type=veth",
                      s) ==
          "name=eth0,bridge=vmbr2,hwaddr=BC:24:11:2A:3B:4C,ip=10.0.1.7/16,type=veth");
}

TEST_CASE("listings: only usable entries, numbers as numbers or strings", "[proxmox][resources]") {
    const auto list = parseResources(boost::json::parse(
        R"([{"id":"lxc/101","type":"lxc","node":"pve1","vmid":101,"status":"running","maxmem":2147483648,"maxcpu":2.0},
            {"id":"qemu/200","node":"pve1","vmid":"200","status":"stopped"},
            {"id":"lxc/x","type":"lxc","node":"pve1"},
            {"type":"storage","storage":"local"}])"));
    REQUIRE(list.size() == 2);
    CHECK(list[0].vmid == 101);
    CHECK(list[0].maxmem == 2147483648LL);
    CHECK(list[0].maxcpu == 2.0);
    CHECK(list[1].type == "qemu");
    CHECK(list[1].vmid == 200);

    const auto nodes = parseNodes(boost::json::parse(
        R"([{"node":"pve1","status":"online"},{"node":"pve2","status":"offline"}])"));
    REQUIRE(nodes.size() == 2);
    CHECK(nodes[1].status == "offline");
}

TEST_CASE("the config cache fetches new, changed and a few of the oldest", "[proxmox][cache]") {
    auto entry = [](int vmid, std::int64_t maxmem) {
        ResourceEntry e;
        e.vmid = vmid;
        e.type = "lxc";
        e.node = "pve1";
        e.name = "ct" + std::to_string(vmid);
        e.maxmem = maxmem;
        return e;
    };
    std::vector<ResourceEntry> listed;
    for (int v = 101; v <= 110; ++v) {
        listed.push_back(entry(v, 1024));
    }
    ConfigCache cache;
    auto due = cache.due(listed, 2);
    CHECK(due.size() == 10);  // all new
    for (const auto& e : listed) {
        cache.store(e.vmid, CtConfig{}, signatureOf(e));
    }
    CHECK(cache.due(listed, 2) == std::vector<int>{101, 102});  // the two oldest
    cache.store(101, CtConfig{}, signatureOf(listed[0]));
    cache.store(102, CtConfig{}, signatureOf(listed[1]));
    CHECK(cache.due(listed, 2) == std::vector<int>{103, 104});

    listed[6].maxmem = 2048;  // 107 changed outside
    cache.invalidate(109);    // 109 changed by us
    CHECK(cache.due(listed, 0) == std::vector<int>{107, 109});

    cache.keepOnly({101, 102});
    CHECK(cache.size() == 2);
}

TEST_CASE("classification of API errors", "[proxmox][api]") {
    auto classify = [](int status, const std::string& reason, const std::string& body = "{}") {
        net::HttpResponse r{status, reason, body};
        return classifyResponse("POST", "/nodes/pve1/lxc", r, "root@pam!cv");
    };
    using hosts::ErrorKind;
    CHECK(classify(500, "CT is locked (disk)").error.kind == ErrorKind::Transient);
    CHECK(classify(500, "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout")
              .error.kind == ErrorKind::Transient);
    CHECK(classify(500, "got no worker upid - start worker failed").error.kind ==
          ErrorKind::Transient);
    CHECK(classify(595, "Connection refused").error.kind == ErrorKind::Transient);
    CHECK(classify(596, "Connection timed out").error.kind == ErrorKind::Transient);
    CHECK(classify(501, "Method 'POST /nodes/pve1/lxc' not implemented").error.kind ==
          ErrorKind::Permanent);
    const auto denied = classify(403, "Permission check failed (/vms/100, VM.PowerMgmt)");
    CHECK(denied.error.kind == ErrorKind::Permanent);
    CHECK_THAT(denied.error.message,
               Catch::Contains("POST /nodes/pve1/lxc: 403 Permission check failed (/vms/100, "
                               "VM.PowerMgmt)"));
    const auto bad = classify(
        400, "Parameter verification failed.",
        R"({"data":null,"errors":{"memory":"value must have a minimum value of 16\n","cores":"type check ('integer') failed - got 'abc'"}})");
    CHECK(bad.error.kind == ErrorKind::Permanent);
    CHECK(bad.error.message ==
          "POST /nodes/pve1/lxc: 400 Parameter verification failed.: cores: type check "
          "('integer') failed - got 'abc'; memory: value must have a minimum value of 16");
    CHECK(bad.params.size() == 2);
    const auto multi = classify(500, "first line\nsecond line");
    CHECK(multi.reason == "first line");
    const auto auth = classify(401, "Authentication failed!");
    CHECK(auth.error.kind == ErrorKind::Permanent);
    CHECK_THAT(auth.error.message, Catch::Contains("authentication failed for token root@pam!cv"));
}

TEST_CASE("the API base path comes from the endpoint URL", "[proxmox][api]") {
    CHECK(apiBasePath("https://pve1.example:8006/api2/json") == "/api2/json");
    CHECK(apiBasePath("https://proxy.example/pve/api2/json/") == "/pve/api2/json");
    CHECK(apiBasePath("https://pve1.example:8006") == "/api2/json");
}

TEST_CASE("the circuit opens, fails fast, lets one probe through and backs off",
          "[proxmox][circuit]") {
    test::ManualTiming timing;
    Circuit c({2s, 60s}, timing);
    CHECK(c.admit().admission == Circuit::Admission::Pass);
    c.failed("GET /nodes: connect: Connection refused");
    CHECK(c.open());
    auto t = c.admit();
    CHECK(t.admission == Circuit::Admission::FailFast);
    CHECK_THAT(t.refusal, Catch::Contains("API unreachable since 0s ago") &&
                              Catch::Contains("Connection refused") &&
                              Catch::Contains("next try in 2s"));
    timing.advance(2s);
    CHECK(c.admit().admission == Circuit::Admission::Probe);
    CHECK(c.admit().admission == Circuit::Admission::FailFast);  // one probe at a time
    c.failed("GET /version: connect: Connection refused");
    timing.advance(3s);
    CHECK(c.admit().admission == Circuit::Admission::FailFast);  // now 4 s
    timing.advance(1s);
    CHECK(c.admit().admission == Circuit::Admission::Probe);
    c.succeeded();
    CHECK_FALSE(c.open());
    CHECK(c.admit().admission == Circuit::Admission::Pass);

    // Doubling stops at the maximum.
    c.failed("x");
    for (int i = 0; i < 10; ++i) {
        timing.advance(60s);
        REQUIRE(c.admit().admission == Circuit::Admission::Probe);
        c.failed("x");
    }
    timing.advance(59s);
    CHECK(c.admit().admission == Circuit::Admission::FailFast);
    timing.advance(1s);
    CHECK(c.admit().admission == Circuit::Admission::Probe);
}
