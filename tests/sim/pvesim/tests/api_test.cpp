// The API pipeline without HTTP: auth, routing, permissions, proxying to offline nodes, config
// locks and persistent locks, tasks, faults.
#include "api.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <memory>

using namespace pvesim;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct Harness {
    asio::io_context ioc;
    Options opt;
    std::unique_ptr<Api> api;

    explicit Harness(double task_seconds = 0.05, double lock_wait = 10) {
        opt.nodes = {"pve1", "pve2"};
        std::string err;
        opt.tokens.push_back(*parse_token_spec("root@pam!ci=secret", err));
        opt.tokens.push_back(*parse_token_spec("ro@pve!audit=ro:audit", err));
        opt.tokens.push_back(*parse_token_spec("none@pve!blind=no:noaudit", err));
        opt.task_seconds = task_seconds;
        opt.lock_wait_seconds = lock_wait;
        opt.auth_fail_delay_ms = 3000;
        opt.seed = 1;
        api = std::make_unique<Api>(ioc.get_executor(), opt, "AA:BB");
    }

    ApiResponse call(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::string& token = "root@pam!ci=secret") {
        ApiRequest r;
        r.method = method;
        r.target = target;
        r.body = body;
        r.content_type = "application/x-www-form-urlencoded";
        if (!token.empty()) {
            r.authorization = "PVEAPIToken=" + token;
        }
        std::optional<ApiResponse> out;
        asio::co_spawn(ioc, api->handle(r), [&](std::exception_ptr e, ApiResponse resp) {
            if (e) {
                std::rethrow_exception(e);
            }
            out = std::move(resp);
        });
        while (!out) {
            if (ioc.stopped()) {
                ioc.restart();  // run_one() ran out of work earlier
            }
            ioc.run_one();
        }
        return *out;
    }

    void run_for(std::chrono::milliseconds d) {
        if (ioc.stopped()) {
            ioc.restart();
        }
        ioc.run_for(d);
    }

    json::value data(const ApiResponse& r) { return json::parse(r.body).as_object().at("data"); }

    // Polls the task until it stops (running the io_context meanwhile); returns its status.
    json::object wait(const std::string& upid) {
        std::string node = upid.substr(5, upid.find(':', 5) - 5);
        while (true) {
            auto r = call("GET", "/api2/json/nodes/" + node + "/tasks/" + upid + "/status");
            json::object st = data(r).as_object();
            if (st["status"] == "stopped") {
                return st;
            }
            run_for(std::chrono::milliseconds(10));
        }
    }

    std::string create(int vmid, const std::string& node = "pve1") {
        auto r = call("POST", "/api2/json/nodes/" + node + "/lxc",
                      "vmid=" + std::to_string(vmid) +
                          "&ostemplate=local%3Avztmpl%2Fdebian-12-standard_12.7-1_amd64.tar.zst"
                          "&rootfs=local-lvm%3A8&hostname=ct" +
                          std::to_string(vmid));
        REQUIRE(r.status == 200);
        return std::string(data(r).as_string());
    }
};

}  // namespace

TEST_CASE("authentication failures are 401 with PVE's reason, delayed, without a body") {
    Harness h;
    auto r = h.call("GET", "/api2/json/nodes", "", "");
    CHECK(r.status == 401);
    CHECK(r.reason == "No ticket");
    CHECK(r.body.empty());
    CHECK(r.delay == std::chrono::milliseconds(3000));
    r = h.call("GET", "/api2/json/nodes", "", "root@pam!ci=wrong");
    CHECK(r.status == 401);
    CHECK(r.reason == "Authentication failed!");
}

TEST_CASE("unknown routes and methods are 501 like pveproxy") {
    Harness h;
    auto r = h.call("GET", "/api2/json/nodes/pve1/qemu");
    CHECK(r.status == 501);
    CHECK(r.reason == "Method 'GET /nodes/pve1/qemu' not implemented");
    CHECK(json::parse(r.body).as_object().at("data").is_null());
    r = h.call("PATCH", "/api2/json/nodes");
    CHECK(r.reason == "method 'PATCH' not available");
    r = h.call("GET", "/index.html");
    CHECK(r.reason == "no such file '/index.html'");
}

TEST_CASE("the envelope and parameter errors") {
    Harness h;
    auto r = h.call("GET", "/api2/json/cluster/nextid");
    CHECK(r.status == 200);
    CHECK(h.data(r) == "100");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc", "vmid=abc&unprivileged=true");
    CHECK(r.status == 400);
    CHECK(r.reason == "Parameter verification failed.");
    auto body = json::parse(r.body).as_object();
    CHECK(body["errors"].as_object()["vmid"] == "type check ('integer') failed - got 'abc'");
    CHECK(body["errors"].as_object()["unprivileged"] ==
          "type check ('boolean') failed - got 'true'");
    CHECK(body["errors"].as_object()["ostemplate"] == "property is missing and it is not optional");
    CHECK(body["message"] == "Parameter verification failed.\n");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start", "vmid=100");
    CHECK(json::parse(r.body).as_object()["errors"].as_object()["vmid"] ==
          "duplicate parameter (already defined in URI)");
}

TEST_CASE("a container's life through the API") {
    Harness h;
    auto st = h.wait(h.create(100));
    CHECK(st["exitstatus"] == "OK");
    auto r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/status/current");
    CHECK(h.data(r).as_object()["status"] == "stopped");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/stop");
    CHECK(r.status == 500);
    CHECK(r.reason == "CT 100 not running");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start");
    std::string upid(h.data(r).as_string());
    CHECK(upid.find(":vzstart:100:root@pam!ci:") != std::string::npos);
    CHECK(h.wait(upid)["exitstatus"] == "OK");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start");
    CHECK(r.reason == "CT 100 already running");
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/config");
    std::string digest(h.data(r).as_object()["digest"].as_string());
    r = h.call("PUT", "/api2/json/nodes/pve1/lxc/100/config",
               "memory=1024&features=nesting%3D1&digest=" + digest);
    CHECK(r.status == 200);
    CHECK(h.data(r).is_null());
    r = h.call("PUT", "/api2/json/nodes/pve1/lxc/100/config", "memory=2048&digest=" + digest);
    CHECK(r.reason == "detected modified configuration - file changed by other user? Try again.");
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/config?current=1");
    CHECK(h.data(r).as_object()["memory"] == 1024);
    CHECK_FALSE(h.data(r).as_object().contains("features"));
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/config");
    CHECK(h.data(r).as_object()["features"] == "nesting=1");
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/pending");
    CHECK(h.data(r).as_array().size() > 3);
    r = h.call("DELETE", "/api2/json/nodes/pve1/lxc/100");
    CHECK(r.reason == "unable to destroy CT 100 - container is running");
    r = h.call("DELETE", "/api2/json/nodes/pve1/lxc/100?force=1");
    CHECK(h.wait(std::string(h.data(r).as_string()))["exitstatus"] == "OK");
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/config");
    CHECK(r.reason == "Configuration file 'nodes/pve1/lxc/100.conf' does not exist");
}

TEST_CASE("a lifecycle call waits for the config lock, then times out") {
    Harness h(5.0, 0.05);  // tasks run 5 s, the lock is waited for 50 ms
    std::string upid = h.create(100);
    auto r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start");
    CHECK(r.status == 500);
    CHECK(r.reason == "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout");
    r = h.call("PUT", "/api2/json/nodes/pve1/lxc/100/config", "memory=1024");
    CHECK(r.reason == "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc",
               "vmid=100&ostemplate=local%3Avztmpl%2Fx.tar.zst&rootfs=local-lvm%3A1");
    CHECK(r.reason == "unable to create CT 100 - CT 100 already exists on node 'pve1'");
}

TEST_CASE("a persistent lock fails calls and tasks with 'CT is locked'") {
    Harness h(0.3);
    h.wait(h.create(100));
    auto r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/snapshot", "snapname=s1");
    std::string snap(h.data(r).as_string());
    CHECK(snap.find(":vzsnapshot:100:") != std::string::npos);
    h.run_for(std::chrono::milliseconds(50));
    r = h.call("PUT", "/api2/json/nodes/pve1/lxc/100/config", "memory=1024");
    CHECK(r.reason == "CT is locked (snapshot)");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start");
    auto st = h.wait(std::string(h.data(r).as_string()));
    CHECK(st["exitstatus"] == "CT is locked (snapshot)");
    CHECK(h.wait(snap)["exitstatus"] == "OK");
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/snapshot", "snapname=current");
    CHECK(r.reason == "unable to use snapshot name 'current' (reserved name)");
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/snapshot");
    CHECK(h.data(r).as_array().size() == 2);
}

TEST_CASE("privilege-limited tokens") {
    Harness h;
    h.wait(h.create(100));
    auto r = h.call("GET", "/api2/json/cluster/resources?type=vm", "", "ro@pve!audit=ro");
    CHECK(h.data(r).as_array().size() == 1);
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start", "", "ro@pve!audit=ro");
    CHECK(r.status == 403);
    CHECK(r.reason == "Permission check failed (/vms/100, VM.PowerMgmt)");
    r = h.call("GET", "/api2/json/cluster/resources?type=vm", "", "none@pve!blind=no");
    CHECK(r.status == 200);
    CHECK(h.data(r).as_array().empty());
    r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/config", "", "none@pve!blind=no");
    CHECK(r.reason == "Permission check failed (/vms/100, VM.Audit)");
}

TEST_CASE("an offline node answers 595 and its CTs are unknown") {
    Harness h;
    h.wait(h.create(100, "pve2"));
    FaultSpec f;
    f.offline = {"pve2"};
    h.api->set_faults(f);
    auto r = h.call("GET", "/api2/json/nodes/pve2/lxc");
    CHECK(r.status == 595);
    CHECK(r.reason == "Connection refused");
    CHECK(r.body.empty());
    r = h.call("GET", "/api2/json/cluster/resources?type=vm");
    CHECK(h.data(r).as_array()[0].as_object().at("status") == "unknown");
    r = h.call("GET", "/api2/json/nodes");
    CHECK(h.data(r).as_array()[1].as_object().at("status") == "offline");
    r = h.call("GET", "/api2/json/nodes/pve9/lxc");
    CHECK(r.reason ==
          "hostname lookup 'pve9' failed - failed to get address info for: pve9: Name or "
          "service not known");
}

TEST_CASE("unknown tasks are a parameter error") {
    Harness h;
    auto r = h.call("GET",
                    "/api2/json/nodes/pve1/tasks/UPID:pve1:00000001:00000002:00000003:"
                    "vzstart:100:root@pam:/status");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).as_object()["errors"].as_object()["upid"] == "no such task");
    r = h.call("GET", "/api2/json/nodes/pve1/tasks/garbage/status");
    CHECK(json::parse(r.body).as_object()["errors"].as_object()["upid"] ==
          "unable to parse worker upid");
}

TEST_CASE("faults: failing tasks, 5xx, lost replies") {
    Harness h;
    std::string err;
    h.api->set_faults(*parse_fault_spec("taskfail=1", err));
    auto st = h.wait(h.create(100));
    CHECK(std::string(st["exitstatus"].as_string()).rfind("command 'lxc-usernsexec", 0) == 0);
    auto r = h.call("GET", "/api2/json/nodes/pve1/lxc/100/status/current");
    CHECK(r.reason == "Configuration file 'nodes/pve1/lxc/100.conf' does not exist");
    h.api->set_faults(*parse_fault_spec("error5xx=1", err));
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/100/status/start");
    CHECK(r.status == 500);
    CHECK(r.reason == "got no worker upid - start worker failed");
    r = h.call("GET", "/api2/json/nodes");
    CHECK(r.status == 596);
    h.api->set_faults(*parse_fault_spec("lostreply=1,latency=25", err));
    r = h.call("GET", "/api2/json/nodes");
    CHECK(r.drop == ApiResponse::Drop::After);
    CHECK(r.delay == std::chrono::milliseconds(25));
    h.api->set_faults(*parse_fault_spec("locktimeout=1", err));
    h.api->set_faults(*parse_fault_spec("", err));
    h.wait(h.create(101));
    h.api->set_faults(*parse_fault_spec("locktimeout=1", err));
    r = h.call("POST", "/api2/json/nodes/pve1/lxc/101/status/start");
    CHECK(r.reason == "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout");
}

TEST_CASE("control endpoints and statistics") {
    Harness h;
    h.call("GET", "/api2/json/nodes");
    h.call("GET", "/api2/json/nodes");
    h.call("GET", "/api2/json/nodes/pve1/lxc");
    auto r = h.call("GET", "/_sim/stats");
    auto s = h.data(r).as_object();
    CHECK(s["total"] == 3);
    CHECK(s["routes"].as_object()["GET /nodes"] == 2);
    CHECK(s["routes"].as_object()["GET /nodes/{node}/lxc"] == 1);
    r = h.call("POST", "/_sim/faults", "spec=offline%3Dpve2%2Clatency%3D5");
    CHECK(h.data(r).as_object()["spec"] == "latency=5,offline=pve2");
    CHECK_FALSE(h.api->cluster().node("pve2")->online);
    r = h.call("POST", "/_sim/node/pve2/online");
    CHECK(h.api->cluster().node("pve2")->online);
    r = h.call("POST", "/_sim/faults", "spec=bogus%3D1");
    CHECK(r.status == 400);
    h.call("DELETE", "/_sim/stats");
    r = h.call("GET", "/_sim/stats");
    CHECK(h.data(r).as_object()["total"] == 0);
}
