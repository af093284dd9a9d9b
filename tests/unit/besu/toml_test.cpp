// TOML values as TOML v1.0.0 defines them: what must be escaped in a basic string, and keys.
#include "nodes/besu/toml.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes::besu {

TEST_CASE("TOML strings escape what would end them or break the line", "[besu][toml]") {
    struct Row {
        std::string in;
        std::string out;
    };
    const std::vector<Row> rows = {
        {"plain", R"("plain")"},
        {"", R"("")"},
        {R"(say "hi")", R"("say \"hi\"")"},
        {R"(C:\path)", R"("C:\\path")"},
        {"a\nb", R"("a\nb")"},
        {"a\r\nb", R"("a\r\nb")"},
        {"tab\there", R"("tab\there")"},
        {"\b\f", R"("\b\f")"},
        {std::string("nul\0x", 5), R"("nul\u0000x")"},
        {"\x1b[31m", R"("\u001B[31m")"},
        {"del\x7f", R"("del\u007F")"},
        {"\"\nevil=true", R"("\"\nevil=true")"},
        {"héllo ✓", "\"héllo ✓\""},
        {"'single'", R"("'single'")"},
    };
    for (const auto& row : rows) {
        INFO(row.in);
        CHECK(tomlString(row.in) == row.out);
    }
}

TEST_CASE("TOML keys are bare when they can be, quoted when not", "[besu][toml]") {
    CHECK(tomlKey("rpc-http-api") == "rpc-http-api");
    CHECK(tomlKey("Key_1") == "Key_1");
    CHECK(tomlKey("a.b") == R"("a.b")");
    CHECK(tomlKey("a b") == R"("a b")");
    CHECK(tomlKey("") == R"("")");
    CHECK(tomlKey("x=\"1\"\n") == R"("x=\"1\"\n")");
}

TEST_CASE("TOML values of each type", "[besu][toml]") {
    CHECK(tomlValue(true) == "true");
    CHECK(tomlValue(false) == "false");
    CHECK(tomlValue(std::int64_t{0}) == "0");
    CHECK(tomlValue(std::int64_t{-42}) == "-42");
    CHECK(tomlValue(std::string("INFO")) == R"("INFO")");
    CHECK(tomlValue(std::vector<std::string>{}) == "[]");
    CHECK(tomlValue(std::vector<std::string>{"ETH", "N\"ET"}) == R"(["ETH","N\"ET"])");
    CHECK(tomlLine("min-gas-price", std::int64_t{0}) == "min-gas-price=0\n");
}

}  // namespace chainvisor::nodes::besu
