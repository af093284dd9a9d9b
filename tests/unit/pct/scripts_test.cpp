// The provider's two sh scripts run for real: /bin/sh, coreutils, and stand-ins for pct, uname
// and nproc (local_shell.h). What a unit test with a fake shell cannot show: that the scripts
// parse, skip exactly the configs they were told to, stop on the wrong machine, put the content
// where it belongs with its owner and mode, and leave no temporary file behind on any path.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "hosts/pct/pct_commands.h"
#include "hosts/pct/pct_host.h"
#include "local_shell.h"

namespace {

using namespace chainvisor;
using namespace chainvisor::hosts::pct;
using namespace chainvisor::hosts::pct::test;
using namespace std::chrono_literals;
using hosts::ErrorKind;
namespace fs = std::filesystem;

const std::string kList =
    "VMID       Status     Lock         Name                \n"
    "101        running                 val1                \n"
    "102        stopped    backup       val2                \n";

std::string config(const std::string& host, const std::string& tags) {
    return "cores: 2\nhostname: " + host +
           "\nmemory: 1024\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.5/24,type=veth\n"
           "rootfs: local-lvm:vm-101-disk-0,size=8G\nswap: 0\ntags: " +
           tags + "\n";
}

struct Fixture {
    LocalShell shell;
    PctHost host;

    Fixture() : host(options(), shell) {
        shell.put("list", kList);
        shell.put("config.101", config("val1", "chainvisor;cv-c-prod;cv-n-val1"));
        shell.put("config.102", config("val2", "chainvisor;cv-c-prod;cv-n-val2"));
    }
    static PctHostOptions options() {
        PctHostOptions o;
        o.name = "h1";
        o.pveNode = "pve2";
        o.clusterName = "prod";
        o.configRefreshPerPass = 0;
        o.commandDeadline = 20s;
        o.observeDeadline = 20s;
        return o;
    }
    std::string calls() {
        auto c = shell.get("calls");
        shell.remove("calls");
        return c;
    }
    std::size_t tmpFiles() const {
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(shell.tmp()), fs::directory_iterator()));
    }
};

}  // namespace

TEST_CASE("the observation script reads only the configs it was not told it knows",
          "[pct][scripts]") {
    Fixture f;
    auto first = f.host.observe();
    REQUIRE(first.ok());
    const auto& h = first.value();
    REQUIRE(h.containers.size() == 2);
    CHECK(h.containers[0].vmid == 101);
    CHECK(h.containers[0].power == plan::PowerState::Running);
    CHECK(h.containers[0].resources.memoryMiB == 1024);
    CHECK(h.containers[0].resources.diskGiB == 8);
    REQUIRE(h.containers[0].owner);
    CHECK(h.containers[0].owner->node == "val1");
    CHECK(h.containers[1].lock == "backup");
    CHECK(f.calls() == "list\nconfig 101\nconfig 102\n");

    // Steady: the list lines match what the provider passed, so no pct config at all.
    REQUIRE(f.host.observe().ok());
    CHECK(f.calls() == "list\n");

    // 102's line changed (its lock went): its config, and only it, is read.
    f.shell.put("list",
                "VMID       Status     Lock         Name                \n"
                "101        running                 val1                \n"
                "102        stopped                 val2                \n");
    REQUIRE(f.host.observe().ok());
    CHECK(f.calls() == "list\nconfig 102\n");

    // No containers: pct list prints nothing.
    f.shell.put("list", "");
    auto empty = f.host.observe();
    REQUIRE(empty.ok());
    CHECK(empty.value().containers.empty());
}

TEST_CASE("the observation script stops at uname on the wrong machine", "[pct][scripts]") {
    Fixture f;
    f.shell.put("uname", "pve1.example.com\n");
    auto r = f.host.observe();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("reaches node 'pve1', not 'pve2'") != std::string::npos);
    CHECK(f.calls().empty());  // not even pct list
    f.shell.put("uname", "PVE2.example.com\n");
    CHECK(f.host.observe().ok());
}

TEST_CASE("a failing pct list fails the observation with its message", "[pct][scripts]") {
    Fixture f;
    f.shell.put("list", "");
    fs::remove(f.shell.world() / "list");
    // A pct that cannot reach pmxcfs.
    f.shell.put("config.101", "");
    auto broken = f.shell.world().parent_path() / "bin" / "pct";
    {
        std::ofstream(broken) << "#!/bin/sh\necho 'ipcc_send_rec[1] failed: Connection refused' "
                                 ">&2\nexit 255\n";
    }
    auto r = f.host.observe();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Transient);
    CHECK(r.error().message.find("pct list failed (exit 255): ipcc_send_rec[1] failed") !=
          std::string::npos);
}

TEST_CASE("the file-writing script delivers content, owner and mode, and cleans up",
          "[pct][scripts]") {
    Fixture f;
    hosts::FileWrite w;
    w.path = "/etc/my app/it's $HOME;\nkey";
    w.content = std::string("line one\n\0binary\xff tail without newline", 36);
    w.mode = 0640;
    w.owner = "besu";
    w.group = "";
    auto r = f.host.writeFile(101, w);
    if (!r.ok()) {
        FAIL(r.error().message);
    }
    std::ifstream in(f.shell.root() / w.path.substr(1), std::ios::binary);
    const std::string written((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    CHECK(written == w.content);
    CHECK(f.shell.get("meta") == "0640 besu 1000");  // the owner's group, looked up inside
    CHECK(f.shell.get("src-mode") == "600\n");       // the node's copy was private
    CHECK_FALSE(fs::exists(f.shell.get("src")));     // and is gone
    CHECK(f.tmpFiles() == 0);
    // pct exec hands the script's umask to the container: directories it makes are 0755, so a
    // service user can reach the files in them.
    CHECK((fs::status(f.shell.root() / "etc" / "my app").permissions() & fs::perms::all) ==
          (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
           fs::perms::others_read | fs::perms::others_exec));
    // Put in place by a rename: nothing else is left in the directory.
    CHECK(std::distance(fs::directory_iterator(f.shell.root() / "etc" / "my app"),
                        fs::directory_iterator()) == 1);
    const auto calls = f.calls();
    CHECK(calls.find("line one") == std::string::npos);
    CHECK(calls.find("push 101 ") != std::string::npos);

    SECTION("an explicit group is passed as it is") {
        w.group = "adm";
        w.path = "/etc/other";
        REQUIRE(f.host.writeFile(101, w).ok());
        CHECK(f.shell.get("meta") == "0640 besu adm");
    }
}

TEST_CASE("the file-writing script leaves nothing behind when pct push fails", "[pct][scripts]") {
    Fixture f;
    hosts::FileWrite w;
    w.path = "/etc/key";
    w.content = "SECRET";
    w.owner = "besu";
    SECTION("an owner the container does not know") {
        f.shell.put("push-fail", "");
        auto r = f.host.writeFile(101, w);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Permanent);
        CHECK(r.error().message.find("failed to get uid for: besu") != std::string::npos);
    }
    SECTION("a group lookup that fails") {
        w.owner = "nobody-here";
        w.group = "";
        auto r = f.host.writeFile(101, w);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Permanent);
    }
    SECTION("a stopped container") {
        f.shell.put("stopped.101", "");
        auto r = f.host.writeFile(101, w);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Transient);
        CHECK(r.error().message.find("is not running") != std::string::npos);
    }
    CHECK(f.tmpFiles() == 0);
    CHECK_FALSE(fs::exists(f.shell.root() / "etc" / "key"));
    if (fs::exists(f.shell.root() / "etc")) {
        CHECK(fs::is_empty(f.shell.root() / "etc"));
    }
}

TEST_CASE("pct exec passes the arguments and the exit code through", "[pct][scripts]") {
    Fixture f;
    auto r = f.host.exec(
        101, {"sh", "-c", "printf '[%s]' \"$@\"; exit 7", "sh", "a b", "$HOME", "-n", "x;y\nz"},
        10s);
    if (!r.ok()) {
        FAIL(r.error().message);
    }
    CHECK(r.value().exitCode == 7);
    CHECK(r.value().out == "[a b][$HOME][-n][x;y\nz]");
    f.shell.put("stopped.101", "");
    auto stopped = f.host.exec(101, {"true"}, 10s);
    REQUIRE_FALSE(stopped.ok());
    CHECK(stopped.error().kind == ErrorKind::Transient);
}
