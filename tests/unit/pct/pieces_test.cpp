// The pure pieces of the pct provider: pct list, listsnapshot and status parsing, the node
// identity, error classification, the command lines, file-write checks, the observation output,
// and the config cache's choice of what to read.
#include <catch2/catch.hpp>

#include "hosts/pct/node_identity.h"
#include "hosts/pct/observe_script.h"
#include "hosts/pct/pct_commands.h"
#include "hosts/pct/pct_config_cache.h"
#include "hosts/pct/pct_errors.h"
#include "hosts/pct/pct_list.h"
#include "hosts/pct/pct_snapshots.h"
#include "hosts/pct/pct_status.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::pct;
using namespace std::chrono_literals;
using hosts::ErrorKind;

net::RemoteOutcome exited(int code, std::string err, std::string out = {}) {
    net::RemoteOutcome o;
    o.exitCode = code;
    o.err = std::move(err);
    o.out = std::move(out);
    return o;
}

hosts::ContainerSpec spec101() {
    hosts::ContainerSpec s;
    s.vmid = 101;
    s.pveNode = "pve2";
    s.hostname = "val1";
    s.resources = spec::Resources{2, 2048, 512, 16};
    s.ip = spec::Ipv4Cidr::parse("10.0.0.15/24");
    s.gateway = spec::Ipv4Address::parse("10.0.0.1");
    s.bridge = "vmbr0";
    s.osTemplate = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
    s.storage = "local-lvm";
    s.owner = plan::OwnerMarker{"prod", "val1"};
    return s;
}

}  // namespace

TEST_CASE("pct list: fixed-width columns, empty lock and name, overlong values", "[pct][list]") {
    // Exactly as pve-container's printf("%-10s %-10s %-12s %-20s\n") prints it.
    const std::string text =
        "VMID       Status     Lock         Name                \n"
        "101        running                 val1                \n"
        "102        stopped    snapshot     val-2               \n"
        "103        stopped    backup                           \n"
        "104        running                                     \n"
        "105        stopped    snapshot-delete val5                \n"
        "999999999  unknown                 CT999999999         \n";
    auto r = parsePctList(text);
    REQUIRE(r.ok());
    const auto& l = r.value();
    REQUIRE(l.size() == 6);
    CHECK(l[0].vmid == 101);
    CHECK(l[0].status == "running");
    CHECK(l[0].lock.empty());
    CHECK(l[0].name == "val1");
    CHECK(l[0].line == "101        running                 val1");
    CHECK(l[1].lock == "snapshot");
    CHECK(l[1].name == "val-2");
    CHECK(l[2].lock == "backup");  // one word left of the Name column: a lock
    CHECK(l[2].name.empty());
    CHECK(l[3].lock.empty());
    CHECK(l[3].name.empty());
    CHECK(l[4].lock == "snapshot-delete");  // longer than its column: Name pushed right
    CHECK(l[4].name == "val5");
    CHECK(l[5].vmid == 999999999);
    CHECK(l[5].status == "unknown");
    CHECK(l[5].name == "CT999999999");

    // No containers: pct prints nothing, not even the header.
    auto none = parsePctList("");
    REQUIRE(none.ok());
    CHECK(none.value().empty());
    CHECK(parsePctList("\n").value().empty());
    CHECK(parsePctList("VMID       Status     Lock         Name\n").value().empty());
}

TEST_CASE("pct list: anything else is an error naming the line", "[pct][list]") {
    auto noHeader = parsePctList("101        running                 val1\n");
    REQUIRE_FALSE(noHeader.ok());
    CHECK(noHeader.error().kind == ErrorKind::Transient);
    CHECK(noHeader.error().message.find("line 1") != std::string::npos);

    const std::string header = "VMID       Status     Lock         Name\n";
    CHECK_FALSE(parsePctList(header + "abc        running                 val1\n").ok());
    CHECK_FALSE(parsePctList(header + "0          running                 val1\n").ok());
    CHECK_FALSE(parsePctList(header + "101\n").ok());
    CHECK_FALSE(parsePctList(header + "101 running lock name extra\n").ok());
    auto bad = parsePctList(header + "101        running\nxyz\n");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("line 3") != std::string::npos);
    CHECK_FALSE(parsePctList("Permission denied\n").ok());
}

TEST_CASE("pct listsnapshot: names from the tree, without current", "[pct][snapshots]") {
    const std::string tree =
        "`-> before-upgrade            2025-01-12 10:00:01     no-description\n"
        "  `-> nightly_2             2025-01-13 03:00:00     nightly run\n"
        "    `-> current                                     You are here!\n"
        "`-> other-root                2025-01-11 09:00:00     no-description\n";
    CHECK(parsePctSnapshots(tree) ==
          std::vector<std::string>{"before-upgrade", "nightly_2", "other-root"});
    CHECK(parsePctSnapshots("`-> current                    You are here!\n").empty());
    CHECK(parsePctSnapshots("").empty());
}

TEST_CASE("pct status and list statuses map to power", "[pct][status]") {
    CHECK(parsePctStatus("status: running\n") == "running");
    CHECK(parsePctStatus("cpus: 2\nstatus:   stopped  \n") == "stopped");
    CHECK(parsePctStatus("nothing\n").empty());
    CHECK(parsePctStatus("status:\n").empty());
    CHECK(powerOf("running") == plan::PowerState::Running);
    CHECK(powerOf("stopped") == plan::PowerState::Stopped);
    CHECK(powerOf("unknown") == plan::PowerState::Unknown);
    CHECK(powerOf("") == plan::PowerState::Unknown);
}

TEST_CASE("the node is the short host name, compared without case", "[pct][identity]") {
    CHECK(shortNodeName("PVE2.example.com\n") == "pve2");
    CHECK(shortNodeName("  pve2 \n") == "pve2");
    CHECK(shortNodeName("\n").empty());
    CHECK(sameNode("pve2\n", "pve2"));
    CHECK(sameNode("PVE2.lan\n", "pve2"));
    CHECK(sameNode("pve2", "PVE2"));
    CHECK_FALSE(sameNode("pve1\n", "pve2"));
    CHECK_FALSE(sameNode("pve20\n", "pve2"));
    CHECK_FALSE(sameNode("", "pve2"));
    CHECK_FALSE(sameNode("", ""));
}

TEST_CASE("pct errors: meaningful lines, each once, without usage", "[pct][errors]") {
    const std::string err =
        "WARN: something minor\n"
        "\n"
        "  unable to create CT 101 - CT 101 already exists on node 'pve1'  \n"
        "TASK ERROR: unable to create CT 101 - CT 101 already exists on node 'pve1'\n"
        "USAGE: pct create <vmid> <ostemplate> [OPTIONS]\n"
        "  Create or restore a container.\n";
    CHECK(meaningfulLines(err) ==
          std::vector<std::string>{"WARN: something minor",
                                   "unable to create CT 101 - CT 101 already exists on node "
                                   "'pve1'"});
    CHECK(lastLines("a\nb\nc\nd\n") == "b | c | d");
    CHECK(lastLines("a\nb\n", 1) == "b");
    CHECK(lastLines("\n\n").empty());
    CHECK(configMissing("Configuration file 'nodes/pve2/lxc/101.conf' does not exist\n"));
    CHECK_FALSE(configMissing("CT 101 already running\n"));
}

TEST_CASE("pct errors: classification", "[pct][errors]") {
    SECTION("parameter errors are permanent and name the parameters") {
        const auto e = pctError(exited(255,
                                       "400 Parameter verification failed.\n"
                                       "memory: value must have a minimum value of 16\n"
                                       "net0: invalid format - format error\n"
                                       "\n"
                                       "USAGE: pct set <vmid> [OPTIONS]\n"),
                                "pct set 101");
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(e.message ==
              "pct set 101: parameter verification failed: memory: value must have a minimum "
              "value of 16; net0: invalid format - format error");
        CHECK(parameterErrors("400 Parameter verification failed.\nvmid: VM 218 already "
                              "exists\npct create <vmid>\n") ==
              std::vector<std::string>{"vmid: VM 218 already exists"});
        CHECK(parameterErrors("nothing\n").empty());
    }
    SECTION("locks and lock timeouts are transient") {
        const auto locked = pctError(exited(255, "CT is locked (snapshot)\n"), "pct start 101");
        CHECK(locked.kind == ErrorKind::Transient);
        CHECK(locked.message == "pct start 101 failed (exit 255): CT is locked (snapshot)");
        const auto timeout = pctError(
            exited(255, "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout\n"),
            "pct start 101");
        CHECK(timeout.kind == ErrorKind::Transient);
        CHECK(timeout.message.find("got timeout") != std::string::npos);
    }
    SECTION("anything else exit 255 is transient with stderr's last lines") {
        const auto e = pctError(
            exited(255, "one\ntwo\nthree\nfour\nfour\n", "stdout is not used\n"), "pct resize 101");
        CHECK(e.kind == ErrorKind::Transient);
        CHECK(e.message == "pct resize 101 failed (exit 255): two | three | four");
        CHECK(pctError(exited(1, ""), "x").message == "x failed (exit 1): no message on stderr");
    }
    SECTION("no pct on the machine is permanent") {
        const auto e = pctError(exited(127, "sh: 1: pct: not found\n"), "pct list");
        CHECK(e.kind == ErrorKind::Permanent);
        CHECK(e.message.find("pct: not found") != std::string::npos);
    }
    SECTION("transport failures: transient, permanent for host key and authentication") {
        net::RemoteOutcome o;
        o.error = "connection refused";
        CHECK(pctError(o, "pct list").kind == ErrorKind::Transient);
        CHECK(pctError(o, "pct list").message == "pct list: connection refused");
        o.permanent = true;
        o.error = "host key mismatch";
        CHECK(pctError(o, "pct list").kind == ErrorKind::Permanent);
        net::RemoteOutcome slow;
        slow.error = "no answer within 60s";
        slow.timedOut = true;
        CHECK(pctError(slow, "pct create 101").kind == ErrorKind::Transient);
        CHECK(pctError(slow, "pct create 101").message.find("may still be running") !=
              std::string::npos);
        net::RemoteOutcome killed;
        killed.exitSignal = "KILL";
        CHECK(pctError(killed, "pct start 101").kind == ErrorKind::Transient);
        CHECK(pctError(killed, "pct start 101").message ==
              "pct start 101 was killed by signal KILL");
    }
    CHECK_FALSE(mentions(exited(255, "CT 101 already running\n"), "not running"));
    CHECK(mentions(exited(255, "CT 101 already running\n"), "already running"));
    net::RemoteOutcome down;
    down.error = "already running";  // a transport message is not pct's
    CHECK_FALSE(mentions(down, "already running"));
}

TEST_CASE("pct command lines", "[pct][commands]") {
    using V = std::vector<std::string>;
    CHECK(unameArgv() == V{"uname", "-n"});
    CHECK(pctListArgv() == V{"pct", "list"});
    CHECK(pctConfigArgv(101) == V{"pct", "config", "101"});
    CHECK(pctStatusArgv(101) == V{"pct", "status", "101"});
    CHECK(pctStartArgv(101) == V{"pct", "start", "101"});
    CHECK(pctStopArgv(101) == V{"pct", "stop", "101"});
    CHECK(pctShutdownArgv(101, 90s) ==
          V{"pct", "shutdown", "101", "--timeout", "90", "--forceStop", "1"});
    CHECK(pctDestroyArgv(101) == V{"pct", "destroy", "101", "--purge", "1", "--force", "1"});
    CHECK(pctResizeArgv(101, 32) == V{"pct", "resize", "101", "rootfs", "32G"});
    CHECK(pctListSnapshotArgv(101) == V{"pct", "listsnapshot", "101"});
    CHECK(pctSnapshotArgv(101, "pre-1") == V{"pct", "snapshot", "101", "pre-1"});
    CHECK(pctRollbackArgv(101, "pre-1") == V{"pct", "rollback", "101", "pre-1"});
    CHECK(pctSetArgv(101, {{"memory", "4096"}, {"hostname", "a b"}}) ==
          V{"pct", "set", "101", "--memory", "4096", "--hostname", "a b"});
    CHECK(pctExecArgv(101, {"sh", "-c", "echo $HOME; rm -rf /"}) ==
          V{"pct", "exec", "101", "--", "sh", "-c", "echo $HOME; rm -rf /"});
    // clang-format off
    CHECK(pctCreateArgv(spec101()) == V{
        "pct", "create", "101", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        "--hostname", "val1",
        "--cores", "2",
        "--memory", "2048",
        "--swap", "512",
        "--rootfs", "local-lvm:16",
        "--net0", "name=eth0,bridge=vmbr0,ip=10.0.0.15/24,gw=10.0.0.1",
        "--unprivileged", "1",
        "--features", "nesting=1",
        "--onboot", "1",
        "--tags", "chainvisor;cv-c-prod;cv-n-val1"});
    // clang-format on
}

TEST_CASE("the file-writing script: values as parameters, content never on the command line",
          "[pct][commands]") {
    hosts::FileWrite f;
    f.path = "/etc/my app/it's $HOME;\nx";
    f.content = "SECRET-KEY-MATERIAL";
    f.mode = 0640;
    f.owner = "besu";
    f.group = "";
    const auto argv = pctPushArgv(101, f);
    REQUIRE(argv.size() == 9);
    CHECK(argv[0] == "sh");
    CHECK(argv[1] == "-c");
    CHECK(argv[2] == pushScript());
    CHECK(argv[3] == "sh");
    CHECK(argv[4] == "101");
    CHECK(argv[5] == f.path);
    CHECK(argv[6] == "0640");
    CHECK(argv[7] == "besu");
    CHECK(argv[8].empty());
    for (const auto& a : argv) {
        CHECK(a.find("SECRET") == std::string::npos);
    }
    // The script itself never expands a value into code: only "$1".."$5" and its own variables.
    CHECK(pushScript().find("eval") == std::string::npos);
    CHECK(pushScript().find("trap 'rm -f -- \"$t\"' EXIT") != std::string::npos);
}

TEST_CASE("file writes are checked before anything runs", "[pct][commands]") {
    auto check = [](std::string path, unsigned mode, std::string owner, std::string group) {
        hosts::FileWrite f;
        f.path = std::move(path);
        f.mode = mode;
        f.owner = std::move(owner);
        f.group = std::move(group);
        return checkFileWrite(f);
    };
    CHECK(check("/etc/x", 0644, "root", "root").ok());
    CHECK(check("/etc/x", 07777, "besu", "").ok());
    CHECK(check("/a b/c'd", 0600, "1000", "1000").ok());
    CHECK(check("/etc/x", 0644, "_svc-1", "adm").ok());
    for (const auto& r :
         {check("etc/x", 0644, "root", "root"), check("/", 0644, "root", "root"),
          check("/etc/", 0644, "root", "root"),
          check(std::string("/etc/\0x", 7), 0644, "root", "root"),
          check("/etc/x", 010000, "root", "root"), check("/etc/x", 0644, "", "root"),
          check("/etc/x", 0644, "-u", "root"), check("/etc/x", 0644, "Root", "root"),
          check("/etc/x", 0644, "root", "a b"), check("/etc/x", 0644, "root:root", ""),
          check("/etc/x", 0644, "root", "--group")}) {
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Permanent);
    }
}

TEST_CASE("the observation output is read by its markers", "[pct][observe]") {
    const std::string out =
        "@@chainvisor node\n"
        "pve2.example.com\n"
        "@@chainvisor cpus\n"
        "16\n"
        "@@chainvisor list\n"
        "VMID       Status     Lock         Name                \n"
        "101        running                 val1                \n"
        "102        stopped                 val2                \n"
        "@@chainvisor config 102\n"
        "hostname: val2\n"
        "memory: 1024\n"
        "@@chainvisor config-exit 102 0\n"
        "@@chainvisor config 101\n"
        "@@chainvisor config-exit 101 255\n"
        "@@chainvisor end\n";
    const auto o = parseObserveOutput(out);
    CHECK(o.sawNode);
    CHECK(o.node == "pve2.example.com");
    CHECK(o.cpus == 16);
    CHECK(o.listed);
    CHECK(o.list.find("101        running") != std::string::npos);
    REQUIRE(o.configs.size() == 2);
    CHECK(o.configs.at(102).text == "hostname: val2\nmemory: 1024\n");
    CHECK(o.configs.at(102).exit == 0);
    CHECK(o.configs.at(101).exit == 255);
    CHECK(o.complete);

    const auto cut = parseObserveOutput(
        "@@chainvisor node\npve2\n@@chainvisor cpus\n4\n"
        "@@chainvisor list\n\n@@chainvisor config 101\narch: x\n");
    CHECK(cut.listed);
    CHECK(cut.configs.at(101).exit == -1);
    CHECK_FALSE(cut.complete);

    const auto failed = parseObserveOutput(
        "@@chainvisor node\npve2\n@@chainvisor cpus\n4\n@@chainvisor list-failed 255\n");
    CHECK_FALSE(failed.listed);
    CHECK(failed.listExit == 255);

    CHECK_FALSE(parseObserveOutput("").sawNode);

    const auto argv = observeArgv("PVE2", {"101        running                 val1"});
    REQUIRE(argv.size() == 6);
    CHECK(argv[0] == "sh");
    CHECK(argv[2] == observeScript());
    CHECK(argv[4] == "pve2");
    CHECK(argv[5] == "101        running                 val1");
}

TEST_CASE("the config cache: known lines skip reads, a few of the oldest are read again",
          "[pct][cache]") {
    PctConfigCache cache;
    CHECK(cache.knownLines(2).empty());
    hosts::proxmox::CtConfig c;
    cache.store(101, c, "101 running val1");
    cache.store(102, c, "102 running val2");
    cache.store(103, c, "103 running val3");
    cache.store(104, c, "104 running val4");
    // The two least recently read are left out: their configs are read this pass.
    CHECK(cache.knownLines(2) == std::vector<std::string>{"103 running val3", "104 running val4"});
    CHECK(cache.knownLines(0).size() == 4);
    CHECK(cache.knownLines(-1).size() == 4);
    CHECK(cache.knownLines(10).empty());
    cache.store(101, c, "101 running val1");  // read again: now the most recent
    CHECK(cache.knownLines(2) == std::vector<std::string>{"104 running val4", "101 running val1"});

    CHECK(cache.epoch(102) == 0);
    cache.invalidate(102);
    CHECK(cache.epoch(102) == 1);
    CHECK(cache.find(102) == nullptr);
    CHECK(cache.epochs().at(102) == 1);
    cache.keepOnly({101, 104});
    CHECK(cache.size() == 2);
    CHECK(cache.find(103) == nullptr);
    CHECK(cache.configs().size() == 2);
}
