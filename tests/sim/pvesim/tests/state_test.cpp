// The cluster model: creation and normalisation, existence and locks, digests, pending
// changes, snapshots and resize.
#include "state.h"

#include <catch2/catch.hpp>

#include "api_error.h"

using namespace pvesim;

namespace {

Params create_params() {
    return {{"ostemplate", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"},
            {"rootfs", "local-lvm:8"},
            {"net0", "name=eth0,bridge=vmbr0,ip=dhcp"},
            {"tags", "Web;prod,web"},
            {"hostname", "web1"}};
}

Container& make(Cluster& c, const std::string& node, int vmid, Params p = create_params()) {
    CreatePlan plan = c.prepare_create(vmid, p);
    Container& ct = c.reserve(node, vmid);
    c.commit_create(ct, plan);
    return ct;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ApiError& e) {
        return std::to_string(e.status) + " " + e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("create normalises what it stores") {
    Cluster c({"pve1", "pve2"}, 1);
    Container& ct = make(c, "pve1", 100);
    auto& v = ct.conf.values;
    CHECK(v["rootfs"] == "local-lvm:vm-100-disk-0,size=8G");
    CHECK(v["tags"] == "prod;web");
    CHECK(v["net0"].rfind("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:", 0) == 0);
    CHECK(v["net0"].size() ==
          std::string("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=dhcp,type=veth").size());
    CHECK(v["net0"].substr(v["net0"].size() - 18) == ",ip=dhcp,type=veth");
    CHECK(v["memory"] == "512");
    CHECK(v["swap"] == "512");
    CHECK(v["unprivileged"] == "1");
    CHECK(v["ostype"] == "debian");
    CHECK(v["arch"] == "amd64");
    CHECK(v.count("lock") == 0);
}

TEST_CASE("create defaults and privileged containers") {
    Cluster c({"pve1"}, 1);
    Params p{{"ostemplate", "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz"},
             {"rootfs", "local-lvm:0.5"},
             {"unprivileged", "0"},
             {"mp0", "local-lvm:4,mp=/data"}};
    Container& ct = make(c, "pve1", 101, p);
    CHECK(ct.conf.values["hostname"] == "CT101");
    CHECK(ct.conf.values["rootfs"] == "local-lvm:vm-101-disk-0,size=512M");
    CHECK(ct.conf.values["mp0"] == "local-lvm:vm-101-disk-1,mp=/data,size=4G");
    CHECK(ct.conf.values.count("unprivileged") == 0);
    CHECK(ct.conf.values["ostype"] == "alpine");
}

TEST_CASE("create refuses storages that cannot hold containers") {
    Cluster c({"pve1"}, 1);
    Params p = create_params();
    p.erase("rootfs");
    CHECK(error_of([&] { c.prepare_create(100, p); }) == "400 Parameter verification failed.");
    try {
        c.prepare_create(100, p);
    } catch (const ApiError& e) {
        CHECK(e.errors.at("storage") == "storage 'local' does not support container directories");
    }
    p["rootfs"] = "nfs:8";
    CHECK(error_of([&] { c.prepare_create(100, p); }) == "500 storage 'nfs' does not exist");
}

TEST_CASE("existence: duplicates and the wrong node") {
    Cluster c({"pve1", "pve2"}, 1);
    make(c, "pve2", 100);
    CHECK(error_of([&] { c.check_vmid_unused(100); }) ==
          "500 CT 100 already exists on node 'pve2'");
    CHECK(error_of([&] { c.prepare_create(100, create_params()); }) ==
          "500 CT 100 already exists on node 'pve2'");
    CHECK(error_of([&] { c.load("pve1", 100); }) ==
          "500 Configuration file 'nodes/pve1/lxc/100.conf' does not exist");
    CHECK(error_of([&] { c.load("pve2", 101); }) ==
          "500 Configuration file 'nodes/pve2/lxc/101.conf' does not exist");
    CHECK(c.next_free_vmid() == 101);
}

TEST_CASE("a persistent lock blocks changes") {
    Cluster c({"pve1"}, 1);
    Container& ct = c.reserve("pve1", 100);
    CHECK(error_of([&] { Cluster::check_lock(ct); }) == "500 CT is locked (create)");
    CHECK(error_of([&] {
              c.update_config(ct, {{"memory", "1024"}}, {}, {}, "");
          }) == "500 CT is locked (create)");
}

TEST_CASE("a stale digest is refused, the current one works") {
    Cluster c({"pve1"}, 1);
    Container& ct = make(c, "pve1", 100);
    std::string digest = ct.conf.digest();
    c.update_config(ct, {{"memory", "1024"}}, {}, {}, digest);
    CHECK(ct.conf.values["memory"] == "1024");
    CHECK(error_of([&] {
              c.update_config(ct, {{"memory", "2048"}}, {}, {}, digest);
          }) == "500 detected modified configuration - file changed by other user? Try again.");
    CHECK(ct.conf.values["memory"] == "1024");
}

TEST_CASE("a stopped CT takes changes at once, normalised") {
    Cluster c({"pve1"}, 1);
    Container& ct = make(c, "pve1", 100);
    c.update_config(ct, {{"net1", "name=eth1,bridge=vmbr1"}, {"tags", "B,a"}, {"cores", "2"}},
                    {"hostname"}, {}, "");
    CHECK(ct.conf.values["net1"].find("type=veth") != std::string::npos);
    CHECK(ct.conf.values["tags"] == "a;b");
    CHECK(ct.conf.values["cores"] == "2");
    CHECK(ct.conf.values.count("hostname") == 0);
    CHECK(ct.conf.pending.empty());
}

TEST_CASE("a running CT takes hotplug keys live and keeps the rest pending") {
    Cluster c({"pve1"}, 1);
    Container& ct = make(c, "pve1", 100);
    c.set_running(ct, true, 1000);
    c.update_config(ct,
                    {{"memory", "2048"},
                     {"cpulimit", "2"},
                     {"hostname", "renamed"},
                     {"features", "nesting=1"},
                     {"nameserver", "1.1.1.1"}},
                    {"swap"}, {}, "");
    CHECK(ct.conf.values["memory"] == "2048");
    CHECK(ct.conf.values["cpulimit"] == "2");
    CHECK(ct.conf.values["hostname"] == "renamed");  // fastplug
    CHECK(ct.conf.values.count("swap") == 0);        // hot delete
    CHECK(ct.conf.values.count("features") == 0);
    CHECK(ct.conf.pending["features"] == "nesting=1");
    CHECK(ct.conf.pending["nameserver"] == "1.1.1.1");
    CHECK(ct.conf.effective(false)["features"] == "nesting=1");
    c.apply_all_pending(ct);  // what the next start does
    CHECK(ct.conf.values["features"] == "nesting=1");
    CHECK(ct.conf.values["nameserver"] == "1.1.1.1");
    CHECK(ct.conf.pending.empty());
}

TEST_CASE("read-only and required options") {
    Cluster c({"pve1"}, 1);
    Container& ct = make(c, "pve1", 100);
    CHECK(error_of([&] {
              c.update_config(ct, {{"unprivileged", "0"}}, {}, {}, "");
          }) == "500 unable to modify read-only option: 'unprivileged'");
    CHECK(error_of([&] { c.update_config(ct, {}, {"unprivileged"}, {}, ""); }) ==
          "500 unable to delete read-only option: 'unprivileged'");
    CHECK(error_of([&] { c.update_config(ct, {}, {"memory"}, {}, ""); }) ==
          "500 unable to delete required option 'memory'");
}

TEST_CASE("snapshots, rollback and deletion") {
    Cluster c({"pve1"}, 1);
    Container& ct = make(c, "pve1", 100);
    c.snapshot_prepare(ct, "s1");
    CHECK(ct.conf.values["lock"] == "snapshot");
    CHECK(error_of([&] { c.snapshot_prepare(ct, "s2"); }) == "500 CT is locked (snapshot)");
    c.snapshot_commit(ct, "s1", "before upgrade", 1700000000);
    CHECK(ct.conf.values.count("lock") == 0);
    CHECK(ct.conf.values["parent"] == "s1");
    CHECK(error_of([&] { c.snapshot_prepare(ct, "s1"); }) == "500 snapshot name 's1' already used");
    c.update_config(ct, {{"memory", "4096"}}, {}, {}, "");
    auto list = c.snapshot_list(ct);
    REQUIRE(list.size() == 2);
    CHECK(list[0].as_object().at("name") == "s1");
    CHECK(list[0].as_object().at("description") == "before upgrade");
    CHECK(list[1].as_object().at("name") == "current");
    CHECK(list[1].as_object().at("parent") == "s1");
    CHECK(error_of([&] { c.rollback_prepare(ct, "nope"); }) ==
          "500 snapshot 'nope' does not exist");
    c.rollback_prepare(ct, "s1");
    CHECK(ct.conf.values["lock"] == "rollback");
    c.rollback_commit(ct, "s1");
    CHECK(ct.conf.values["memory"] == "512");
    CHECK(ct.conf.values.count("lock") == 0);
    c.delsnapshot_prepare(ct, "s1", false);
    CHECK(ct.conf.values["lock"] == "snapshot-delete");
    c.delsnapshot_commit(ct, "s1");
    CHECK(ct.conf.snapshots.empty());
    CHECK(ct.conf.values.count("parent") == 0);
}

TEST_CASE("resize grows, never shrinks") {
    Cluster c({"pve1"}, 1);
    Container& ct = make(c, "pve1", 100);
    CHECK(error_of([&] { c.resize_prepare(ct, "rootfs", "4G", ""); }) ==
          "500 unable to shrink disk size");
    CHECK(error_of([&] { c.resize_prepare(ct, "rootfs", "8G", ""); }) ==
          "500 disk is already at specified size");
    ResizePlan plan = c.resize_prepare(ct, "rootfs", "+2G", "");
    CHECK(plan.new_size == 10ull << 30);
    c.resize_commit(ct, plan);
    CHECK(ct.conf.values["rootfs"] == "local-lvm:vm-100-disk-0,size=10G");
    CHECK(c.rootfs_size(ct) == 10ull << 30);
}

TEST_CASE("status and resources views") {
    Cluster c({"pve1", "pve2"}, 1);
    Container& ct = make(c, "pve2", 100);
    c.set_running(ct, true, 100);
    auto s = c.vmstatus(ct, 160);
    CHECK(s["status"] == "running");
    CHECK(s["uptime"] == 60);
    CHECK(s["maxmem"] == 512ull << 20);
    CHECK(s["maxdisk"] == 8ull << 30);
    CHECK(s["name"] == "web1");
    CHECK(s["tags"] == "prod;web");
    c.node("pve2")->online = false;
    auto r = c.resources("vm", 160, true);
    REQUIRE(r.size() == 1);
    CHECK(r[0].as_object().at("id") == "lxc/100");
    CHECK(r[0].as_object().at("status") == "unknown");
    CHECK(c.resources("vm", 160, false).empty());
}
