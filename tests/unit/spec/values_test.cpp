// The small value parsers of values.h.
#include "spec/values.h"

#include <catch2/catch.hpp>

using namespace chainvisor::spec;
using namespace std::chrono_literals;

TEST_CASE("Version parses MAJOR.MINOR.PATCH with an optional suffix", "[spec][values]") {
    auto v = Version::parse("26.1.0");
    REQUIRE(v);
    CHECK(v->major == 26);
    CHECK(v->minor == 1);
    CHECK(v->patch == 0);
    CHECK(v->suffix.empty());
    CHECK(v->str() == "26.1.0");

    auto rc = Version::parse("24.12.2-RC1");
    REQUIRE(rc);
    CHECK(rc->suffix == "RC1");
    CHECK(rc->str() == "24.12.2-RC1");

    for (const char* bad : {"", "26", "26.1", "26.1.0.1", "v26.1.0", "26.01.0", "26.1.x", "26.1.0-",
                            "26.1.0-rc 1", "-1.0.0", "26..0", "1.2.3-ü"}) {
        INFO(bad);
        CHECK_FALSE(Version::parse(bad));
    }
}

TEST_CASE("Versions order numerically, a suffix before the release", "[spec][values]") {
    const auto v = [](const char* s) { return *Version::parse(s); };
    CHECK(v("26.1.0") > v("25.12.9"));
    CHECK(v("26.10.0") > v("26.9.0"));  // numeric, not lexical
    CHECK(v("26.1.1") > v("26.1.0"));
    CHECK(v("26.1.0-RC1") < v("26.1.0"));
    CHECK(v("26.1.0-RC1") < v("26.1.0-RC2"));
    CHECK(v("26.1.0-RC2") > v("25.0.0"));
    CHECK(v("0.3.1") == v("0.3.1"));
    CHECK(Version{}.empty());
    CHECK_FALSE(v("0.0.1").empty());
}

TEST_CASE("Ipv4Address and Ipv4Cidr parse and compare", "[spec][values]") {
    auto a = Ipv4Address::parse("10.10.0.11");
    REQUIRE(a);
    CHECK(a->value == 0x0A0A000Bu);
    CHECK(a->str() == "10.10.0.11");
    for (const char* bad : {"", "10.10.0", "10.10.0.256", "10.10.0.011", "10.10.0.1.1", "a.b.c.d",
                            "10.10.0.-1", " 10.10.0.1", "::1"}) {
        INFO(bad);
        CHECK_FALSE(Ipv4Address::parse(bad));
    }

    auto c = Ipv4Cidr::parse("10.10.0.11/24");
    REQUIRE(c);
    CHECK(c->prefix == 24);
    CHECK(c->str() == "10.10.0.11/24");
    CHECK(c->contains(*Ipv4Address::parse("10.10.0.1")));
    CHECK(c->contains(*Ipv4Address::parse("10.10.0.255")));
    CHECK_FALSE(c->contains(*Ipv4Address::parse("10.10.1.1")));
    CHECK(Ipv4Cidr::parse("10.0.0.1/32")->contains(*Ipv4Address::parse("10.0.0.1")));
    CHECK_FALSE(Ipv4Cidr::parse("10.0.0.1/32")->contains(*Ipv4Address::parse("10.0.0.2")));
    CHECK(Ipv4Cidr::parse("10.0.0.1/0")->contains(*Ipv4Address::parse("192.0.2.1")));
    for (const char* bad : {"10.10.0.11", "10.10.0.11/33", "10.10.0.11/", "10.10.0.11/024",
                            "10.10.0.11/2a", "/24", "fd00::1/64"}) {
        INFO(bad);
        CHECK_FALSE(Ipv4Cidr::parse(bad));
    }
}

TEST_CASE("Durations parse one number with one unit", "[spec][values]") {
    CHECK(parseDuration("500ms") == 500ms);
    CHECK(parseDuration("30s") == 30s);
    CHECK(parseDuration("10m") == 10min);
    CHECK(parseDuration("2h") == 2h);
    CHECK(parseDuration("0s") == 0s);
    for (const char* bad : {"", "30", "s", "1.5s", "1h30m", "-1s", "30 s", "30S", "1d", "ms"}) {
        INFO(bad);
        CHECK_FALSE(parseDuration(bad));
    }
    CHECK(formatDuration(30s) == "30s");
    CHECK(formatDuration(10min) == "10m");
    CHECK(formatDuration(24h) == "24h");
    CHECK(formatDuration(1500ms) == "1500ms");
}
