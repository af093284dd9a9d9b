// Long-polls: events?wait= and reconcile?wait= hold a request without holding the io thread,
// and end at the notification, at their deadline, or at stop().
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <future>

#include "server_harness.h"
#include "test_client.h"

namespace {

using namespace chainvisor::control;
using namespace chainvisor::control::test;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

UnixSeconds now() {
    return static_cast<UnixSeconds>(std::time(nullptr));
}

std::future<Exchange> requestLater(const std::filesystem::path& socket, std::string method,
                                   std::string target) {
    return std::async(std::launch::async, [socket, method, target] {
        return request(socket, method, target, {}, std::chrono::seconds(30));
    });
}

bool oneWaiting(ControlServer& server, FakeControlApi&) {
    return server.waiting() == 1;
}

}  // namespace

TEST_CASE("control: an events long-poll returns as soon as notifyEvents() says there are new ones",
          "[control][long-poll]") {
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    harness.onIo([&] { harness.apiUnsafe().addEvent("val1", "Paused", "paused by root", now()); });

    const auto started = SteadyClock::now();
    auto pending = requestLater(harness.socket(), "GET", "/v1/events?since=1&wait=20");
    REQUIRE(harness.waitFor(oneWaiting));
    // Other clients are answered while the long-poll waits: the io thread is free.
    CHECK(request(harness.socket(), "GET", "/v1/status").status() == 200);
    CHECK(pending.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);

    harness.waitFor([](ControlServer& server, FakeControlApi& api) {
        api.addEvent("", "SpecChanged", "reloaded", now());
        api.addEvent("val1", "Resumed", "resumed by root", now());
        server.notifyEvents();
        return true;
    });
    const auto reply = pending.get();
    REQUIRE(reply.status() == 200);
    const auto body = reply.json();
    const auto& events = body.at("events").as_array();
    REQUIRE(events.size() == 2);
    CHECK(events[0].at("sequence") == 2);
    CHECK(events[1].at("type") == "Resumed");
    CHECK(reply.json().at("last") == 3);
    CHECK(SteadyClock::now() - started < std::chrono::seconds(15));
    CHECK(
        harness.waitFor([](ControlServer& server, FakeControlApi&) { return !server.waiting(); }));
}

TEST_CASE("control: an events long-poll with nothing new ends at its wait with an empty list",
          "[control][long-poll]") {
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    harness.onIo([&] { harness.apiUnsafe().addEvent("val1", "Paused", "paused", now()); });

    const auto started = SteadyClock::now();
    const auto reply = request(harness.socket(), "GET", "/v1/events?since=1&wait=0.3");
    const auto took = SteadyClock::now() - started;
    REQUIRE(reply.status() == 200);
    CHECK(reply.json().at("events").as_array().empty());
    CHECK(reply.json().at("last") == 1);
    CHECK(took >= std::chrono::milliseconds(300));
    CHECK(took < std::chrono::seconds(10));

    SECTION("a notification without new events keeps it waiting") {
        const auto asked = SteadyClock::now();
        auto pending = requestLater(harness.socket(), "GET", "/v1/events?since=1&wait=0.5");
        REQUIRE(harness.waitFor(oneWaiting));
        harness.waitFor([](ControlServer& server, FakeControlApi&) {
            server.notifyEvents();
            return true;
        });
        const auto again = pending.get();
        CHECK(SteadyClock::now() - asked >= std::chrono::milliseconds(500));
        CHECK(again.status() == 200);
        CHECK(again.json().at("events").as_array().empty());
    }
}

TEST_CASE("control: waits are cut to maxWait, a since beyond the last event answers at once",
          "[control][long-poll]") {
    TempDir dir;
    auto options = testOptions(dir.path());
    options.maxWait = std::chrono::milliseconds(200);
    ServerHarness harness(options, FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());

    auto started = SteadyClock::now();
    auto reply = request(harness.socket(), "GET", "/v1/events?since=0&wait=3600");
    CHECK(reply.status() == 200);
    CHECK(SteadyClock::now() - started < std::chrono::seconds(10));

    // A daemon that restarted numbers its events from 1 again: a follower must learn that now.
    harness.onIo([&] { harness.apiUnsafe().addEvent("val1", "Paused", "paused", now()); });
    started = SteadyClock::now();
    reply = request(harness.socket(), "GET", "/v1/events?since=500&wait=3600");
    CHECK(reply.status() == 200);
    CHECK(reply.json().at("last") == 1);
    CHECK(SteadyClock::now() - started < std::chrono::milliseconds(200));
}

TEST_CASE("control: reconcile?wait returns when notifyPassCompleted reaches its pass",
          "[control][long-poll]") {
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    harness.onIo([&] { harness.apiUnsafe().completed = 4; });

    auto pending = requestLater(harness.socket(), "POST", "/v1/reconcile?wait=20");
    REQUIRE(harness.waitFor(oneWaiting));
    CHECK(harness.onIo([&] { return harness.apiUnsafe().requested; }) == 5);
    // An earlier pass completing is not enough.
    harness.waitFor([](ControlServer& server, FakeControlApi&) {
        server.notifyPassCompleted(4);
        return true;
    });
    REQUIRE(harness.waitFor(oneWaiting));
    CHECK(pending.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
    harness.waitFor([](ControlServer& server, FakeControlApi& api) {
        api.completed = 5;
        server.notifyPassCompleted(5);
        return true;
    });
    const auto reply = pending.get();
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"pass":5,"completed":true,"passesCompleted":5})"));
}

TEST_CASE("control: reconcile?wait that runs out says the pass did not complete",
          "[control][long-poll]") {
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());
    const auto reply = request(harness.socket(), "POST", "/v1/reconcile?wait=0.2");
    REQUIRE(reply.status() == 200);
    CHECK(reply.json() == json::parse(R"({"pass":1,"completed":false,"passesCompleted":0})"));
}

TEST_CASE("control: stop() ends long-polls with 503 and the server's work ends",
          "[control][long-poll][shutdown]") {
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());

    auto events = requestLater(harness.socket(), "GET", "/v1/events?since=0&wait=20");
    auto pass = requestLater(harness.socket(), "POST", "/v1/reconcile?wait=20");
    REQUIRE(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.waiting() == 2; }));
    // An idle kept-alive connection is closed at stop too.
    auto idle = std::async(std::launch::async, [&] { return rawExchange(harness.socket(), {}); });
    REQUIRE(harness.waitFor(
        [](ControlServer& server, FakeControlApi&) { return server.connections() == 3; }));

    const auto started = SteadyClock::now();
    REQUIRE(harness.stop());
    CHECK(SteadyClock::now() - started < std::chrono::seconds(5));
    const auto eventsReply = events.get();
    CHECK(eventsReply.status() == 503);
    CHECK(eventsReply.errorMessage() == "chainvisord is shutting down");
    const auto passReply = pass.get();
    CHECK(passReply.status() == 503);
    CHECK(passReply.errorMessage() == "chainvisord is shutting down; pass 1 will not complete");
    CHECK(idle.get().closedByServer);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "control.sock"));
}
