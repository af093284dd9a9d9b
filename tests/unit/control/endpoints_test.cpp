// Every endpoint over a real Unix socket with a fake api: JSON shapes, parameters and errors.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <ctime>

#include "server_harness.h"
#include "test_client.h"

namespace {

using namespace chainvisor::control;
using namespace chainvisor::control::test;
namespace json = boost::json;

UnixSeconds now() {
    return static_cast<UnixSeconds>(std::time(nullptr));
}

struct Fixture {
    TempDir dir;
    UnixSeconds started = now();
    ServerHarness harness{testOptions(dir.path()), FakeControlApi::standard(started)};

    Exchange get(const std::string& target) { return request(harness.socket(), "GET", target); }
    Exchange post(const std::string& target, const std::string& body = {}) {
        return request(harness.socket(), "POST", target, body);
    }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "control: GET /v1/status has the summary and every node",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    const auto reply = get("/v1/status");
    REQUIRE(reply.status() == 200);
    CHECK(reply.response->at(boost::beast::http::field::content_type) == "application/json");
    const auto body = reply.json().as_object();
    CHECK(body.at("version") == "test");
    CHECK(body.at("summary") == "2 nodes: 1 ready, 1 progressing; 0 running; last pass 0.4s ago");
    CHECK(body.at("passesCompleted") == 0);
    CHECK(body.at("lastEvent") == 0);
    const auto& nodes = body.at("nodes").as_array();
    REQUIRE(nodes.size() == 2);
    const auto& val1 = nodes[0].as_object();
    CHECK(val1.at("name") == "val1");
    CHECK(val1.at("network") == "devnet");
    CHECK(val1.at("role") == "validator");
    CHECK(val1.at("host") == "pve1");
    CHECK(val1.at("vmid") == 101);
    CHECK(val1.at("condition") == "Ready");
    CHECK(val1.at("reason") == "Converged");
    CHECK(val1.at("message") == "matches the spec");
    CHECK(val1.at("since").as_int64() == started - (3 * 86400 + 4 * 3600 + 1800));
    CHECK(val1.at("attempts") == 0);
    CHECK(val1.at("nextRetry").is_null());
    CHECK(val1.at("height") == 1234);
    CHECK(val1.at("peers") == 3);
    CHECK(val1.at("paused") == false);
    CHECK(val1.at("container") == "running");
    const auto& rpc1 = nodes[1].as_object();
    CHECK(rpc1.at("height").is_null());
    CHECK(rpc1.at("peers").is_null());
    CHECK(rpc1.at("attempts") == 2);
    CHECK(rpc1.at("nextRetry").is_int64());
}

TEST_CASE_METHOD(Fixture, "control: GET /v1/nodes and /v1/nodes/{name}", "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    const auto list = get("/v1/nodes");
    REQUIRE(list.status() == 200);
    CHECK(list.json().at("nodes").as_array().size() == 2);

    const auto one = get("/v1/nodes/rpc1");
    REQUIRE(one.status() == 200);
    CHECK(one.json().at("name") == "rpc1");
    CHECK(one.json().at("reason") == "CreatingContainer");

    SECTION("a %-escaped name is decoded") {
        const auto escaped = get("/v1/nodes/%72pc1");
        REQUIRE(escaped.status() == 200);
        CHECK(escaped.json().at("name") == "rpc1");
    }
    SECTION("an unknown node is 404 with a suggestion") {
        const auto missing = get("/v1/nodes/val2");
        CHECK(missing.status() == 404);
        CHECK(missing.errorMessage() == "no node 'val2' in the spec; did you mean 'val1'?");
        // Bytes that could upset a JSON reader or a terminal are not echoed.
        const auto odd = get("/v1/nodes/%FF%1B%5B2Jx");
        CHECK(odd.status() == 404);
        CHECK(odd.errorMessage() == "no node '??[2Jx' in the spec");
        const auto far = get("/v1/nodes/zzzzzzzz");
        CHECK(far.status() == 404);
        CHECK(far.errorMessage() == "no node 'zzzzzzzz' in the spec");
    }
}

TEST_CASE_METHOD(Fixture, "control: GET /v1/plan has actions, waiting and notices",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    const auto reply = get("/v1/plan");
    REQUIRE(reply.status() == 200);
    const auto body = reply.json();
    CHECK(body.at("pass") == 12);
    CHECK(body.at("at").as_int64() == started - 5 * 86400);
    const auto& actions = body.at("actions").as_array();
    REQUIRE(actions.size() == 2);
    const auto firstAction =
        json::parse(R"({"node":"rpc1","kind":"CreateContainer","disruption":"none",)"
                    R"("reason":"vmid 205 missing on local","host":"local"})");
    CHECK(actions[0] == firstAction);
    CHECK(actions[1].at("disruption") == "restart");
    const auto waiting = json::parse(
        R"J([{"node":"val2","reason":"validator budget of devnet used: val1 is down (1 of 1)"}])J");
    CHECK(body.at("waiting") == waiting);
    const auto notices = json::parse(
        R"([{"node":"","message":"vmid 999 on pve1 is not owned by chainvisor; left alone"}])");
    CHECK(body.at("notices") == notices);
}

TEST_CASE_METHOD(Fixture, "control: GET /v1/events pages by since and limit",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    harness.onIo([&] {
        for (int i = 1; i <= 5; ++i) {
            harness.apiUnsafe().addEvent("val1", "ActionSucceeded", "step " + std::to_string(i),
                                         started + i);
        }
    });
    const auto all = get("/v1/events");
    REQUIRE(all.status() == 200);
    CHECK(all.json().at("events").as_array().size() == 5);
    CHECK(all.json().at("last") == 5);
    CHECK(all.json().at("events").as_array()[0] ==
          json::parse(R"({"sequence":1,"time":)" + std::to_string(started + 1) +
                      R"(,"node":"val1","type":"ActionSucceeded","message":"step 1"})"));

    const auto page = get("/v1/events?since=2&limit=2");
    REQUIRE(page.status() == 200);
    const auto pageBody = page.json();
    const auto& events = pageBody.at("events").as_array();
    REQUIRE(events.size() == 2);
    CHECK(events[0].at("sequence") == 3);
    CHECK(events[1].at("sequence") == 4);

    const auto none = get("/v1/events?since=5");
    CHECK(none.status() == 200);
    CHECK(none.json().at("events").as_array().empty());

    SECTION("bad parameters are 400") {
        CHECK(get("/v1/events?since=-1").status() == 400);
        CHECK(get("/v1/events?since=x").errorMessage() ==
              "since: 'x' is not an event sequence number");
        CHECK(get("/v1/events?limit=0").status() == 400);
        CHECK(get("/v1/events?limit=100000").status() == 400);
        CHECK(get("/v1/events?wait=soon").status() == 400);
        CHECK(get("/v1/events?sinc=1").errorMessage() ==
              "unknown parameter 'sinc'; accepted: since, limit, wait");
        CHECK(get("/v1/events?since=1&since=2").status() == 400);
        CHECK(get("/v1/status?verbose=1").errorMessage() ==
              "unknown parameter 'verbose'; this endpoint takes none");
    }
}

TEST_CASE_METHOD(Fixture, "control: POST /v1/pause and /v1/resume, one node or all",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    auto reply = post("/v1/pause", R"({"node": "val1"})");
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"ok":true,"paused":"val1"})"));
    CHECK(get("/v1/nodes/val1").json().at("paused") == true);
    CHECK(get("/v1/nodes/rpc1").json().at("paused") == false);

    reply = post("/v1/resume", R"({"node": "val1"})");
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"ok":true,"resumed":"val1"})"));
    CHECK(get("/v1/nodes/val1").json().at("paused") == false);

    reply = post("/v1/pause");
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"ok":true,"paused":null})"));
    CHECK(harness.onIo([&] { return harness.apiUnsafe().pausedAll; }));
    CHECK(post("/v1/resume", "{}").status() == 200);
    CHECK_FALSE(harness.onIo([&] { return harness.apiUnsafe().pausedAll; }));

    SECTION("an unknown node is 404 with a suggestion") {
        const auto missing = post("/v1/pause", R"({"node": "vall"})");
        CHECK(missing.status() == 404);
        CHECK(missing.errorMessage() == "no node 'vall' in the spec; did you mean 'val1'?");
    }
    SECTION("a bad body is 400 and says what is accepted") {
        CHECK(post("/v1/pause", "{node: val1}").status() == 400);
        CHECK(post("/v1/pause", R"(["val1"])").errorMessage() ==
              R"(body must be a JSON object: {"node": "NAME"})");
        CHECK(post("/v1/pause", R"({"nodes": "val1"})").errorMessage() ==
              "unknown field 'nodes'; accepted: node");
        CHECK(post("/v1/pause", R"({"node": 1})").status() == 400);
        CHECK(post("/v1/pause", R"({"node": ""})").status() == 400);
    }
}

TEST_CASE_METHOD(Fixture, "control: POST /v1/reconcile returns the pass that will include it",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    harness.onIo([&] { harness.apiUnsafe().completed = 7; });
    const auto reply = post("/v1/reconcile");
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"pass":8,"completed":false,"passesCompleted":7})"));
    CHECK(post("/v1/reconcile", R"({"now": true})").status() == 400);
    CHECK(post("/v1/reconcile?wait=-1").status() == 400);
}

TEST_CASE_METHOD(Fixture, "control: POST /v1/reload: ok, or 422 with the validation error",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    auto reply = post("/v1/reload");
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"ok":true})"));

    harness.onIo([&] {
        harness.apiUnsafe().reloadProblem = "cluster.yaml:14:9: nodes[2].vmid: 106 is already used";
    });
    reply = post("/v1/reload");
    CHECK(reply.status() == 422);
    CHECK(reply.errorMessage() ==
          "reload refused: cluster.yaml:14:9: nodes[2].vmid: 106 is already used; still running "
          "the previous spec");
    CHECK(harness.onIo([&] { return harness.apiUnsafe().reloads; }) == 2);
}

TEST_CASE_METHOD(Fixture, "control: wrong method is 405 with Allow, unknown path is 404",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    const auto getReload = get("/v1/reload");
    CHECK(getReload.status() == 405);
    CHECK(getReload.response->at(boost::beast::http::field::allow) == "POST");
    CHECK(getReload.errorMessage() == "/v1/reload takes POST only");
    const auto postStatus = post("/v1/status");
    CHECK(postStatus.status() == 405);
    CHECK(postStatus.response->at(boost::beast::http::field::allow) == "GET");
    CHECK(request(harness.socket(), "DELETE", "/v1/nodes/val1").status() == 405);

    const auto unknown = get("/v2/status");
    CHECK(unknown.status() == 404);
    CHECK(unknown.errorMessage().starts_with("no endpoint /v2/status; endpoints: GET /v1/status"));
    CHECK(get("/v1/nodes/").status() == 404);
    CHECK(get("/v1/status/").status() == 404);
    CHECK(get("/v1/nodes/%zz").status() == 400);
}

TEST_CASE_METHOD(Fixture, "control: a body over the limit is 413, malformed HTTP is 400",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    const auto big = post("/v1/pause", std::string(64 * 1024 + 1, ' '));
    CHECK(big.status() == 413);
    CHECK(big.errorMessage() == "request body too large (at most 65536 bytes)");

    const auto garbage = rawExchange(harness.socket(), "HELLO THERE\r\n\r\n");
    CHECK(garbage.closedByServer);
    CHECK(garbage.received.starts_with("HTTP/1.1 400 Bad Request"));
}

TEST_CASE_METHOD(Fixture, "control: an exception from the api is a 500, the server carries on",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    harness.onIo([&] { harness.apiUnsafe().throwOnSummary = true; });
    const auto failed = get("/v1/status");
    CHECK(failed.status() == 500);
    CHECK(failed.errorMessage() == "internal error: summary exploded");
    CHECK(get("/v1/plan").status() == 200);
}

TEST_CASE_METHOD(Fixture, "control: a kept-alive connection answers request after request",
                 "[control][endpoints]") {
    REQUIRE(harness.startError().empty());
    const std::string one = "GET /v1/plan HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string last = "GET /v1/nodes/val1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const auto result = rawExchange(harness.socket(), one + one + last);
    CHECK(result.closedByServer);
    std::size_t replies = 0;
    for (auto at = result.received.find("HTTP/1.1 200 OK"); at != std::string::npos;
         at = result.received.find("HTTP/1.1 200 OK", at + 1)) {
        ++replies;
    }
    CHECK(replies == 3);
    CHECK(result.received.find("Server: chainvisord/test") != std::string::npos);
}
