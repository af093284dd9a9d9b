#include "nodes/unit_file.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes {

TEST_CASE("systemd quoting: values are never expanded or split", "[nodes][unit]") {
    struct Row {
        std::string in;
        std::string out;
    };
    const std::vector<Row> rows = {
        {"plain", R"("plain")"},
        {"two words", R"("two words")"},
        {R"(say "hi")", R"("say \"hi\"")"},
        {R"(back\slash)", R"("back\\slash")"},
        {"$HOME", R"("$$HOME")"},
        {"${X}", R"("$${X}")"},
        {"100%", R"("100%%")"},
        {"%n", R"("%%n")"},
        {"a\nb", R"("a\nb")"},
        {"; rm -rf /", R"("; rm -rf /")"},
        {"", R"("")"},
    };
    for (const auto& row : rows) {
        INFO(row.in);
        CHECK(quoteForSystemd(row.in) == row.out);
    }
}

TEST_CASE("a unit file has the service's command, user, environment and restart policy",
          "[nodes][unit]") {
    UnitFile unit;
    unit.description = "chainvisor node web1 (web)";
    unit.execStart = {"/usr/bin/python3", "-m", "http.server", "8080"};
    unit.user = "nobody";
    unit.environment = {{"GREETING", "a b"}};
    unit.killSignal = "SIGINT";
    unit.timeoutStopSeconds = 900;
    const std::string text = renderUnit(unit);
    CHECK(text.find("Description=chainvisor node web1 (web)\n") != std::string::npos);
    CHECK(text.find("ExecStart=\"/usr/bin/python3\" \"-m\" \"http.server\" \"8080\"\n") !=
          std::string::npos);
    CHECK(text.find("User=nobody\n") != std::string::npos);
    CHECK(text.find("Environment=\"GREETING=a b\"\n") != std::string::npos);
    CHECK(text.find("Restart=on-failure\n") != std::string::npos);
    CHECK(text.find("KillSignal=SIGINT\n") != std::string::npos);
    CHECK(text.find("TimeoutStopSec=900\n") != std::string::npos);
    CHECK(text.find("WantedBy=multi-user.target\n") != std::string::npos);
}

TEST_CASE("a unit file leaves systemd's defaults alone unless asked", "[nodes][unit]") {
    UnitFile unit;
    unit.execStart = {"/bin/true"};
    const std::string text = renderUnit(unit);
    CHECK(text.find("KillSignal=") == std::string::npos);
    CHECK(text.find("TimeoutStopSec=") == std::string::npos);
    CHECK(text.find("WorkingDirectory=") == std::string::npos);
}

}  // namespace chainvisor::nodes
