#include "options.h"

#include <catch2/catch.hpp>
#include <string_view>
#include <vector>

using chainvisor::daemon::LogFormat;
using chainvisor::daemon::LogLevel;
using chainvisor::daemon::Mode;
using chainvisor::daemon::parseOptions;

namespace {

chainvisor::daemon::ParsedOptions parse(std::vector<std::string_view> args) {
    return parseOptions(args);
}

}  // namespace

TEST_CASE("no options: run with the default config and state dir", "[options]") {
    auto r = parse({});
    REQUIRE(r.options);
    CHECK(r.options->mode == Mode::Run);
    CHECK(r.options->config == "/etc/chainvisor/cluster.yaml");
    CHECK(r.options->stateDir == "/var/lib/chainvisor");
    CHECK(r.options->logFormat == LogFormat::Text);
    CHECK(r.options->logLevel == LogLevel::Info);
}

TEST_CASE("values as separate words and with =", "[options]") {
    auto r = parse(
        {"--config", "a.yaml", "--state-dir=/tmp/s", "--log-format=json", "--log-level", "debug"});
    REQUIRE(r.options);
    CHECK(r.options->config == "a.yaml");
    CHECK(r.options->stateDir == "/tmp/s");
    CHECK(r.options->logFormat == LogFormat::Json);
    CHECK(r.options->logLevel == LogLevel::Debug);
}

TEST_CASE("check-config takes the file and selects the mode", "[options]") {
    auto r = parse({"--check-config", "x.yaml"});
    REQUIRE(r.options);
    CHECK(r.options->mode == Mode::CheckConfig);
    CHECK(r.options->config == "x.yaml");
}

TEST_CASE("plan with config", "[options]") {
    auto r = parse({"--plan", "--config", "x.yaml"});
    REQUIRE(r.options);
    CHECK(r.options->mode == Mode::Plan);
    CHECK(r.options->config == "x.yaml");
}

TEST_CASE("bad command lines say what is wrong and what is accepted", "[options]") {
    struct Row {
        std::vector<std::string_view> args;
        std::string_view error;
    };
    const std::vector<Row> rows = {
        {{"--confg", "x"}, "unknown option '--confg' (see --help)"},
        {{"x.yaml"}, "unexpected argument 'x.yaml'; chainvisord takes only options (see --help)"},
        {{"--config"}, "--config needs a value"},
        {{"--config="}, "--config needs a non-empty value"},
        {{"--plan=yes"}, "--plan takes no value"},
        {{"--log-format", "xml"}, "--log-format: 'xml' is not a format; accepted: text, json"},
        {{"--log-level=verbose"},
         "--log-level: 'verbose' is not a level; accepted: trace, debug, info, warn, error"},
        {{"--check-config", "a", "--plan"},
         "--check-config FILE names its own file; use it alone, not with --plan"},
        {{"--check-config", "a", "--config", "b"},
         "--check-config FILE names its own file; use it alone, not with --config"},
        {{"--state-dir", "relative/dir"},
         "--state-dir: 'relative/dir' must be an absolute path (the daemon does not depend on its "
         "working directory)"},
    };
    for (const auto& row : rows) {
        auto r = parse(row.args);
        INFO(row.error);
        CHECK_FALSE(r.options);
        CHECK(r.error == row.error);
    }
}

TEST_CASE("help and version win over everything after them", "[options]") {
    CHECK(parse({"--help", "--bogus"}).options->mode == Mode::Help);
    CHECK(parse({"--version"}).options->mode == Mode::Version);
}

TEST_CASE("metrics address and control socket", "[options]") {
    const auto defaults = parse({});
    REQUIRE(defaults.options);
    REQUIRE(defaults.options->metrics);
    CHECK(defaults.options->metrics->host == "127.0.0.1");
    CHECK(defaults.options->metrics->port == 19818);
    CHECK(defaults.options->controlSocket == "/run/chainvisor/control.sock");

    const auto set = parse({"--metrics-address", "0.0.0.0:9999", "--control-socket=/tmp/c.sock"});
    REQUIRE(set.options);
    CHECK(set.options->metrics->host == "0.0.0.0");
    CHECK(set.options->metrics->port == 9999);
    CHECK(set.options->controlSocket == "/tmp/c.sock");

    const auto local = parse({"--metrics-address=localhost:0"});
    REQUIRE(local.options);
    CHECK(local.options->metrics->host == "127.0.0.1");
    CHECK(local.options->metrics->port == 0);

    const auto off = parse({"--metrics-address", "off", "--control-socket", "off"});
    REQUIRE(off.options);
    CHECK_FALSE(off.options->metrics);
    CHECK(off.options->controlSocket.empty());

    CHECK(parse({"--metrics-address", "19818"}).error ==
          "--metrics-address: '19818' needs a port, e.g. 127.0.0.1:19818; or off");
    CHECK(parse({"--metrics-address", "1.2.3:80"}).error ==
          "--metrics-address: '1.2.3' is not an IPv4 address; accepted: an address such as "
          "127.0.0.1 or 0.0.0.0, or localhost; or off");
    CHECK(parse({"--metrics-address", "127.0.0.1:65536"}).error ==
          "--metrics-address: '65536' is not a port; accepted: 0 to 65535; or off");
    CHECK(parse({"--metrics-address", "256.0.0.1:1"}).error.find("is not an IPv4 address") !=
          std::string::npos);
    CHECK(parse({"--control-socket", "run/c.sock"}).error ==
          "--control-socket: 'run/c.sock' must be an absolute path, or off");
}
