// Request targets: paths and query parameters, decoded; numbers and seconds read strictly.
#include "control/target.h"

#include <catch2/catch.hpp>

#include "control/client_text.h"

using namespace chainvisor::control;

TEST_CASE("target: path and query are split and decoded", "[control][target]") {
    const auto target = parseTarget("/v1/events?since=12&wait=0.5&x=a%20b+c");
    REQUIRE(target);
    CHECK(target->path == "/v1/events");
    CHECK(target->query.at("since") == "12");
    CHECK(target->query.at("wait") == "0.5");
    CHECK(target->query.at("x") == "a b c");

    CHECK(parseTarget("/v1/nodes/val%31")->path == "/v1/nodes/val1");
    CHECK(parseTarget("/v1/nodes/a+b")->path == "/v1/nodes/a+b");  // '+' is a space only in queries
    CHECK(parseTarget("/v1/status?")->query.empty());
    CHECK(parseTarget("/v1/status?flag")->query.at("flag").empty());
}

TEST_CASE("target: malformed targets are refused", "[control][target]") {
    CHECK_FALSE(parseTarget(""));
    CHECK_FALSE(parseTarget("v1/status"));
    CHECK_FALSE(parseTarget("http://host/v1/status"));
    CHECK_FALSE(parseTarget("/v1/nodes/%"));
    CHECK_FALSE(parseTarget("/v1/nodes/%4"));
    CHECK_FALSE(parseTarget("/v1/nodes/%zz"));
    CHECK_FALSE(parseTarget("/v1/nodes/a%00b"));
    CHECK_FALSE(parseTarget("/v1/events?since=1&since=2"));
    CHECK_FALSE(parseTarget("/v1/events?=1"));
}

TEST_CASE("target: numbers and seconds", "[control][target]") {
    CHECK(parseUnsigned("0") == 0u);
    CHECK(parseUnsigned("18446744073709551615") == UINT64_MAX);
    CHECK_FALSE(parseUnsigned("18446744073709551616"));
    CHECK_FALSE(parseUnsigned("-1"));
    CHECK_FALSE(parseUnsigned("+1"));
    CHECK_FALSE(parseUnsigned("1x"));
    CHECK_FALSE(parseUnsigned(""));

    CHECK(parseSeconds("30") == std::chrono::seconds(30));
    CHECK(parseSeconds("0.25") == std::chrono::milliseconds(250));
    CHECK(parseSeconds("0") == std::chrono::milliseconds(0));
    CHECK_FALSE(parseSeconds("-1"));
    CHECK_FALSE(parseSeconds("1e3"));
    CHECK_FALSE(parseSeconds("soon"));
    CHECK_FALSE(parseSeconds("inf"));
    CHECK_FALSE(parseSeconds(""));
}

TEST_CASE("target: what a client sent is echoed as printable ASCII, bounded", "[control][target]") {
    CHECK(clientText("val1") == "val1");
    CHECK(clientText("a\nb\x1b[0m\xc3\xa9") == "a?b?[0m??");
    CHECK(clientText(std::string(300, 'x')) == std::string(200, 'x') + "...");
}
