// ProxmoxApi over a scripted transport (headers, envelopes, errors, the secret, the circuit) and
// task waiting (polling, "no such task", failures with the log's tail, deadlines).
#include <catch2/catch.hpp>

#include "hosts/proxmox/api_client.h"
#include "hosts/proxmox/tasks.h"
#include "scripted_http.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::proxmox;
using namespace chainvisor::hosts::proxmox::test;
using namespace std::chrono_literals;
using hosts::ErrorKind;

const std::string kSecret = "7d3e9a41-5b2c-4f80-9e1d-0a6b8c2f4e97";
const std::string kUpid = "UPID:pve1:0000ABCD:00112233:65A1B2C3:vzstart:101:root@pam!cv:";

ApiOptions apiOptions() {
    ApiOptions o;
    o.tokenId = "root@pam!cv";
    o.tokenSecret = kSecret;
    return o;
}

std::string statusPath(const std::string& upid) {
    return "GET /nodes/pve1/tasks/" + percentEncode(upid) + "/status";
}

std::string logPath(const std::string& upid) {
    return "GET /nodes/pve1/tasks/" + percentEncode(upid) + "/log";
}

std::string running() {
    return R"({"status":"running","upid":")" + kUpid + R"("})";
}

std::string stopped(const std::string& exit) {
    return R"({"status":"stopped","exitstatus":")" + exit + R"("})";
}

}  // namespace

TEST_CASE("requests carry the token, a form body and the base path", "[proxmox][api]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    http.on("POST /nodes/pve1/lxc/101/status/start", ok("\"" + kUpid + "\""));
    http.on("GET /cluster/resources", ok("[]", ",\"total\":0"));

    auto r = api.post("/nodes/pve1/lxc/101/status/start", Form().flag("skiplock", false));
    REQUIRE(r);
    CHECK(r.data().as_string() == kUpid);
    auto g = api.get("/cluster/resources", Form().text("type", "vm"));
    REQUIRE(g);
    CHECK(g.total() == 0);

    const auto reqs = http.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].headers.at("Authorization") == "PVEAPIToken=root@pam!cv=" + kSecret);
    CHECK(reqs[0].contentType == "application/x-www-form-urlencoded");
    CHECK(reqs[0].body == "skiplock=0");
    CHECK(reqs[1].query == "type=vm");
    CHECK(reqs[1].body.empty());
}

TEST_CASE("a body that is not an envelope is a Transient error", "[proxmox][api]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    Reply html = ok("x");
    html.response.body = "<html>proxy</html>";
    http.on("GET /nodes", html);
    auto r = api.get("/nodes");
    REQUIRE_FALSE(r);
    CHECK(r.error().error.kind == ErrorKind::Transient);
    CHECK_THAT(r.error().error.message, Catch::Contains("not a JSON"));
}

TEST_CASE("the secret never appears in an error", "[proxmox][api][secret]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    std::vector<std::string> messages;
    http.on("GET /nodes", error(401, "Authentication failed!"));
    auto r = api.get("/nodes");
    REQUIRE_FALSE(r);
    CHECK(r.error().error.kind == ErrorKind::Permanent);
    CHECK(r.error().error.message ==
          "GET /nodes: 401 Authentication failed!: authentication failed for token root@pam!cv "
          "(check the token id and its secret; a deleted or expired token fails the same way)");
    messages.push_back(r.error().error.message);

    // A transport or a server that echoes the header: redacted.
    http.on("GET /version", transport("bad header 'PVEAPIToken=root@pam!cv=" + kSecret + "'"));
    auto t = api.get("/version");
    REQUIRE_FALSE(t);
    messages.push_back(t.error().error.message);
    CHECK_THAT(t.error().error.message, Catch::Contains("<secret>"));

    ManualTiming timing2;
    ScriptedHttpClient http2;
    ProxmoxApi echo(apiOptions(), http2, timing2);
    http2.on("GET /nodes", error(500, "bad token " + kSecret));
    auto e = echo.get("/nodes");
    REQUIRE_FALSE(e);
    messages.push_back(e.error().error.message);
    messages.push_back(e.error().reason);

    ApiOptions broken = apiOptions();
    broken.tokenSecret = kSecret + "\r\nX-Evil: 1";
    ProxmoxApi bad(broken, http2, timing2);
    auto b = bad.get("/nodes");
    REQUIRE_FALSE(b);
    CHECK(b.error().error.kind == ErrorKind::Permanent);
    CHECK_THAT(b.error().error.message, Catch::Contains("control character"));
    messages.push_back(b.error().error.message);

    for (const auto& m : messages) {
        INFO(m);
        CHECK(m.find(kSecret) == std::string::npos);
    }
}

TEST_CASE("a transport failure opens the circuit and calls fail fast until a probe succeeds",
          "[proxmox][api][circuit]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    http.on("GET /nodes", transport("connect: Connection refused"));
    auto first = api.get("/nodes");
    REQUIRE_FALSE(first);
    CHECK(first.error().transport);
    CHECK(first.error().error.kind == ErrorKind::Transient);
    CHECK(first.error().error.message == "GET /nodes: connect: Connection refused");
    CHECK(api.circuitOpen());
    CHECK(http.count() == 1);

    auto fast = api.get("/nodes");
    REQUIRE_FALSE(fast);
    CHECK(fast.error().transport);
    CHECK_THAT(fast.error().error.message, Catch::StartsWith("API unreachable since"));
    CHECK(http.count() == 1);  // nothing sent

    timing.advance(2s);
    http.on("GET /version", ok(R"({"version":"8.3.0"})"));
    http.on("GET /nodes", ok("[]"), true);
    auto probed = api.get("/nodes");
    CHECK(probed);
    CHECK_FALSE(api.circuitOpen());
    const auto reqs = http.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[1].key() == "GET /version");
    CHECK(reqs[2].key() == "GET /nodes");

    SECTION("a 595 from a proxy hop does not open it") {
        http.on("GET /nodes", error(595, "Connection refused"), true);
        auto hop = api.get("/nodes");
        REQUIRE_FALSE(hop);
        CHECK_FALSE(hop.error().transport);
        CHECK(hop.error().error.kind == ErrorKind::Transient);
        CHECK_FALSE(api.circuitOpen());
    }
    SECTION("a timeout opens it and says so") {
        http.on("GET /nodes", transport("read: operation timed out", true), true);
        auto slow = api.get("/nodes");
        REQUIRE_FALSE(slow);
        CHECK_THAT(slow.error().error.message, Catch::Contains("no response within 40s"));
        CHECK(api.circuitOpen());
    }
}

TEST_CASE("a task is polled with a growing interval until it stops", "[proxmox][tasks]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    for (int i = 0; i < 9; ++i) {
        http.on(statusPath(kUpid), ok(running()));
    }
    http.on(statusPath(kUpid), ok(stopped("OK")));
    auto r = waitForTask(api, timing, boost::json::value(kUpid), TaskOptions{});
    CHECK(r.ok());
    CHECK(http.count(statusPath(kUpid)) == 10);
    // 100 ms while under half a second has passed, then a fifth of the time waited so far.
    CHECK(timing.slept() == 6 * 100ms + 120ms + 144ms + 172ms);
}

TEST_CASE("the poll interval is a fifth of the wait, between its bounds", "[proxmox][tasks]") {
    const TaskOptions options;
    CHECK(pollDelay(options, 0ms) == 100ms);
    CHECK(pollDelay(options, 499ms) == 100ms);
    CHECK(pollDelay(options, 1000ms) == 200ms);
    CHECK(pollDelay(options, 9999ms) == 1999ms);
    CHECK(pollDelay(options, 10min) == 2000ms);
    // A task that ends is seen to end within a fifth of its duration (or 100 ms), and a ten-minute
    // one costs a few hundred requests, not thousands.
    for (const auto duration : {50ms, 1000ms, 3700ms, 42000ms}) {
        std::chrono::milliseconds t{0};
        while (t < duration) {
            t += pollDelay(options, t);
        }
        CHECK(t - duration <= std::max<std::chrono::milliseconds>(100ms, duration / 5));
    }
    int polls = 0;
    for (std::chrono::milliseconds t{0}; t < 10min; t += pollDelay(options, t)) {
        ++polls;
    }
    CHECK(polls < 340);
    CHECK(polls > 250);
}

TEST_CASE("WARNINGS is success", "[proxmox][tasks]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    http.on(statusPath(kUpid), ok(stopped("WARNINGS: 2")));
    CHECK(waitForTask(api, timing, boost::json::value(kUpid), TaskOptions{}).ok());
}

TEST_CASE("a just-started task may be unknown for a moment", "[proxmox][tasks]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    const Reply unknown = error(400, "Parameter verification failed.",
                                R"({"data":null,"errors":{"upid":"no such task"}})");
    http.on(statusPath(kUpid), unknown);
    http.on(statusPath(kUpid), unknown);
    http.on(statusPath(kUpid), ok(stopped("OK")));
    CHECK(waitForTask(api, timing, boost::json::value(kUpid), TaskOptions{}).ok());

    SECTION("but not forever") {
        ScriptedHttpClient http2;
        ProxmoxApi api2(apiOptions(), http2, timing);
        http2.on(statusPath(kUpid), unknown);
        auto r = waitForTask(api2, timing, boost::json::value(kUpid), TaskOptions{});
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::Transient);
        CHECK_THAT(r.error().message, Catch::Contains("lost track of vzstart task for 101"));
    }
}

TEST_CASE("a failed task says why, with the end of its log", "[proxmox][tasks]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    const std::string exit = "CT is locked (snapshot)";
    http.on(statusPath(kUpid), ok(stopped(exit)));
    std::string lines = "[";
    const std::vector<std::string> texts = {
        "starting", "step 1", "step 2", "step 3", "step 4", "step 5", "TASK ERROR: " + exit};
    for (std::size_t i = 0; i < texts.size(); ++i) {
        lines += (i ? "," : "") + std::string(R"({"n":)") + std::to_string(i + 1) + R"(,"t":")" +
                 texts[i] + "\"}";
    }
    lines += "]";
    http.on(logPath(kUpid), ok(lines, ",\"total\":7"));
    auto r = waitForTask(api, timing, boost::json::value(kUpid), TaskOptions{});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Transient);
    CHECK(r.error().message ==
          "vzstart task for 101 on pve1 failed: CT is locked (snapshot) (log: step 1 | step 2 | "
          "step 3 | step 4 | step 5)");
    const auto reqs = http.requests();
    CHECK(reqs.back().form() ==
          std::map<std::string, std::string>{{"limit", "50"}, {"start", "0"}});

    SECTION("a long log: only its end is fetched") {
        ScriptedHttpClient http2;
        ProxmoxApi api2(apiOptions(), http2, timing);
        http2.on(statusPath(kUpid), ok(stopped("boom")));
        http2.on(logPath(kUpid), ok(R"([{"n":1,"t":"first"}])", ",\"total\":120"));
        http2.on(
            logPath(kUpid),
            ok(R"([{"n":115,"t":"late a"},{"n":116,"t":"late b"},{"n":120,"t":"TASK ERROR: boom"}])",
               ",\"total\":120"));
        auto r2 = waitForTask(api2, timing, boost::json::value(kUpid), TaskOptions{});
        REQUIRE_FALSE(r2);
        CHECK_THAT(r2.error().message, Catch::EndsWith("failed: boom (log: late a | late b)"));
        CHECK(http2.requests().back().form() ==
              std::map<std::string, std::string>{{"limit", "6"}, {"start", "114"}});
    }
}

TEST_CASE("a task past its deadline is left running", "[proxmox][tasks]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    http.on(statusPath(kUpid), ok(running()));
    TaskOptions o;
    o.deadline = 30s;
    auto r = waitForTask(api, timing, boost::json::value(kUpid), o);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Transient);
    CHECK_THAT(r.error().message, Catch::Contains("still running after 30s"));
    CHECK(http.count() < 40);
}

TEST_CASE("poll failures: transient ones are ridden out, permanent ones end the wait",
          "[proxmox][tasks]") {
    ScriptedHttpClient http;
    ManualTiming timing;
    ProxmoxApi api(apiOptions(), http, timing);
    http.on(statusPath(kUpid), error(596, "Connection timed out"));
    http.on(statusPath(kUpid), ok(stopped("OK")));
    CHECK(waitForTask(api, timing, boost::json::value(kUpid), TaskOptions{}).ok());

    http.on(statusPath(kUpid), error(403, "Permission check failed (/nodes/pve1, Sys.Audit)"),
            true);
    auto r = waitForTask(api, timing, boost::json::value(kUpid), TaskOptions{});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Permanent);
    CHECK(http.count(logPath(kUpid)) == 0);
}
