#include "engine/event.h"

#include <catch2/catch.hpp>

using namespace chainvisor::engine;

namespace {

Event named(std::string message) {
    Event e;
    e.node = "val1";
    e.type = "Test";
    e.message = std::move(message);
    return e;
}

}  // namespace

TEST_CASE("EventLog numbers events and returns those after a sequence", "[events]") {
    EventLog log(10);
    CHECK(log.lastSequence() == 0);
    CHECK(log.oldestSequence() == 0);
    CHECK(log.since(0).empty());
    log.emit(named("a"));
    log.emit(named("b"));
    log.emit(named("c"));
    auto all = log.since(0);
    REQUIRE(all.size() == 3);
    CHECK(all[0].sequence == 1);
    CHECK(all[0].message == "a");
    CHECK(all[2].sequence == 3);
    auto after = log.since(2);
    REQUIRE(after.size() == 1);
    CHECK(after[0].message == "c");
    CHECK(log.since(3).empty());
    CHECK(log.since(99).empty());
    auto limited = log.since(0, 2);
    REQUIRE(limited.size() == 2);
    CHECK(limited[1].message == "b");
}

TEST_CASE("EventLog keeps only the most recent events", "[events]") {
    EventLog log(3);
    for (int i = 1; i <= 5; ++i) {
        log.emit(named(std::to_string(i)));
    }
    CHECK(log.size() == 3);
    CHECK(log.capacity() == 3);
    CHECK(log.lastSequence() == 5);
    CHECK(log.oldestSequence() == 3);
    auto all = log.since(0);
    REQUIRE(all.size() == 3);
    CHECK(all[0].message == "3");
    CHECK(all[0].sequence == 3);
    CHECK(all[2].message == "5");
    auto tail = log.since(4);
    REQUIRE(tail.size() == 1);
    CHECK(tail[0].sequence == 5);
    // A reader that fell behind gets what is left and can tell it missed 2.
    auto behind = log.since(1);
    REQUIRE(behind.size() == 3);
    CHECK(behind.front().sequence == 3);
}

TEST_CASE("EventLog default capacity is 10000", "[events]") {
    EventLog log;
    for (int i = 0; i < 10005; ++i) {
        log.emit(named("x"));
    }
    CHECK(log.size() == 10000);
    CHECK(log.oldestSequence() == 6);
}
