// chainvisorctl's pieces without a daemon: its command line and what it prints.
#include "ctl_format.h"

#include <catch2/catch.hpp>
#include <string_view>
#include <vector>

#include "ctl_options.h"
#include "ctl_table.h"
#include "fake_control_api.h"

namespace {

using namespace chainvisor;
using chainvisor::control::test::FakeControlApi;

constexpr control::UnixSeconds kNow = 1714564803;  // 2024-05-01T12:00:03Z

ctl::ParsedCtlOptions parse(std::vector<std::string_view> args,
                            std::optional<std::string_view> env = std::nullopt) {
    return ctl::parseCtlOptions(args, env);
}

}  // namespace

TEST_CASE("ctl: spans of time read at a glance", "[ctl][format]") {
    CHECK(ctl::formatSpan(-5) == "0s");
    CHECK(ctl::formatSpan(0) == "0s");
    CHECK(ctl::formatSpan(45) == "45s");
    CHECK(ctl::formatSpan(192) == "3m12s");
    CHECK(ctl::formatSpan(3600) == "1h00m");
    CHECK(ctl::formatSpan(2 * 3600 + 5 * 60 + 59) == "2h05m");
    CHECK(ctl::formatSpan(3 * 86400 + 4 * 3600 + 1800) == "3d04h");
}

TEST_CASE("ctl: the status table is aligned, with dashes for what is not known", "[ctl][format]") {
    const auto api = FakeControlApi::standard(kNow);
    CHECK(ctl::formatStatus(api.summaryLine, {}, api.nodeList, kNow, false) ==
          "2 nodes: 1 ready, 1 progressing; 0 running; last pass 0.4s ago\n"
          "\n"
          "NODE  NETWORK  ROLE       HOST   VMID  CONDITION    REASON             HEIGHT  PEERS  "
          "SINCE\n"
          "val1  devnet   validator  pve1   101   Ready        Converged          1234    3      "
          "3d04h\n"
          "rpc1  devnet   rpc        local  205   Progressing  CreatingContainer  -       -      "
          "2d00h\n");
    CHECK(ctl::formatStatus("", {}, {}, kNow, false) == "No nodes in the spec.\n");
}

TEST_CASE("ctl: networks come first, with validators online against quorum", "[ctl][format]") {
    control::NetworkView devnet;
    devnet.name = "devnet";
    devnet.condition = "Degraded";
    devnet.reason = "BelowQuorum";
    devnet.message = "2 of 4 validators online (quorum 3): the chain cannot make blocks";
    devnet.since = kNow - 45;
    devnet.validators = 4;
    devnet.validatorsOnline = 2;
    devnet.quorum = 3;
    devnet.height = 812;
    control::NetworkView web;
    web.name = "web";
    web.condition = "Ready";
    web.reason = "Running";
    web.since = kNow - 192;
    CHECK(ctl::formatStatus("", {devnet, web}, {}, kNow, false) ==
          "NETWORK  CONDITION  REASON       VALIDATORS      HEIGHT  SINCE  MESSAGE\n"
          "devnet   Degraded   BelowQuorum  2/4 (quorum 3)  812     45s    2 of 4 validators "
          "online (quorum 3): the chain cannot make blocks\n"
          "web      Ready      Running      -               -       3m12s  -\n"
          "\n"
          "No nodes in the spec.\n");
}

TEST_CASE("ctl: colours only when asked, and columns stay aligned", "[ctl][format]") {
    ctl::Table table({"A", "B"});
    table.add({{"Ready", "32"}, {"x"}});
    table.add({{"→ long", {}}, {"y"}});
    CHECK(table.render(false) == "A       B\nReady   x\n→ long  y\n");
    CHECK(table.render(true) == "A       B\n\x1b[32mReady\x1b[0m   x\n→ long  y\n");
}

TEST_CASE("ctl: one node in detail", "[ctl][format]") {
    const auto api = FakeControlApi::standard(kNow);
    CHECK(ctl::formatNode(api.nodeList[1], kNow, false) ==
          "Node:      rpc1\n"
          "Network:   devnet (rpc)\n"
          "Host:      local, vmid 205\n"
          "Condition: Progressing (CreatingContainer) for 2d00h, since 2024-04-29T12:00:03Z\n"
          "Message:   vmid 205 missing on local\n"
          "Attempts:  2; next retry in 2d01h (2024-05-03T13:01:02Z)\n"
          "Container: missing\n"
          "Service:   -\n"
          "Version:   -\n"
          "Height:    -\n"
          "Peers:     -\n"
          "Paused:    no\n");
}

TEST_CASE("ctl: the plan lists actions, then what waits, then notices", "[ctl][format]") {
    const auto api = FakeControlApi::standard(kNow);
    CHECK(ctl::formatPlan(api.lastPlan, kNow, false) ==
          "Plan of pass 12, 5d00h ago: 2 actions.\n"
          "\n"
          "NODE  ACTION           DISRUPTION  REASON\n"
          "rpc1  CreateContainer  none        vmid 205 missing on local\n"
          "val1  RestartService   restart     config changed: p2p port 30303 → 30304\n"
          "\n"
          "Waiting:\n"
          "NODE  WHY\n"
          "val2  validator budget of devnet used: val1 is down (1 of 1)\n"
          "\n"
          "Notices:\n"
          "NODE  NOTICE\n"
          "-     vmid 999 on pve1 is not owned by chainvisor; left alone\n");

    control::PlanView converged;
    converged.pass = 3;
    CHECK(ctl::formatPlan(converged, kNow, false) ==
          "Plan of pass 3: no actions; the cluster matches the spec.\n");
    CHECK(ctl::formatPlan({}, kNow, false) == "No pass has completed yet; try again shortly.\n");
}

TEST_CASE("ctl: an event is one line", "[ctl][format]") {
    CHECK(ctl::formatEvent({12, kNow, "val1", "ActionSucceeded", "started container 101"}) ==
          "2024-05-01T12:00:03Z #12 val1 ActionSucceeded: started container 101\n");
    CHECK(ctl::formatEvent({13, kNow, "", "SpecChanged", "reloaded"}) ==
          "2024-05-01T12:00:03Z #13 - SpecChanged: reloaded\n");
}

TEST_CASE("ctl: the command line", "[ctl][options]") {
    auto parsed = parse({"status"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->command == ctl::Command::Status);
    CHECK(parsed.options->socket == "/run/chainvisor/control.sock");
    CHECK_FALSE(parsed.options->node);

    parsed = parse({"status", "val1", "--json"}, "/tmp/env.sock");
    REQUIRE(parsed.options);
    CHECK(parsed.options->node == "val1");
    CHECK(parsed.options->json);
    CHECK(parsed.options->socket == "/tmp/env.sock");

    parsed = parse({"--socket", "/tmp/a.sock", "events", "-f", "--since=7"}, "/tmp/env.sock");
    REQUIRE(parsed.options);
    CHECK(parsed.options->socket == "/tmp/a.sock");
    CHECK(parsed.options->follow);
    CHECK(parsed.options->since == 7);

    parsed = parse({"reconcile", "--wait"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->wait == std::chrono::seconds(60));
    parsed = parse({"reconcile", "--wait=2.5", "--timeout", "3"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->wait == std::chrono::milliseconds(2500));
    CHECK(parsed.options->timeout == std::chrono::seconds(3));

    parsed = parse({"plan", "--exit-code"});
    REQUIRE(parsed.options);
    CHECK(parsed.options->exitCode);

    CHECK(parse({"--help"}).options->command == ctl::Command::Help);
    CHECK(parse({"status", "--version"}).options->command == ctl::Command::Version);
}

TEST_CASE("ctl: command line mistakes say what is accepted", "[ctl][options]") {
    CHECK(parse({}).error ==
          "no command given; commands: status, plan, events, pause, resume, reconcile, reload, "
          "help, version, besu");
    CHECK(parse({"stauts"}).error.starts_with("unknown command 'stauts'; commands: status,"));
    CHECK(parse({"status", "a", "b"}).error ==
          "status: unexpected argument 'b'; it takes at most one node name");
    CHECK(parse({"plan", "x"}).error == "plan: unexpected argument 'x'");
    CHECK(parse({"status", "--exit-code"}).error == "--exit-code is for plan only");
    CHECK(parse({"status", "-f"}).error == "-f is for events only");
    CHECK(parse({"plan", "--since", "3"}).error == "--since is for events only");
    CHECK(parse({"events", "--since", "x"}).error ==
          "--since needs an event sequence number (0, 1, 2, …)");
    CHECK(parse({"pause", "--wait"}).error == "--wait is for reconcile only");
    CHECK(parse({"status", "--socket"}).error == "--socket needs a path");
    CHECK(parse({"status", "--timeout=0"}).error ==
          "--timeout needs a number of seconds greater than 0");
    CHECK(parse({"status", "--colour"}).error.starts_with("unknown option '--colour'; options:"));
}
