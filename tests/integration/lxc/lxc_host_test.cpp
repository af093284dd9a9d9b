// LxcHost against real LXC, as root: a throwaway bridge (cvt<pid>, 10.231.x.1/24, no NAT) and a
// temporary lxcpath, the shared base in /var/cache/chainvisor/lxc (built once, then reused).
// Skips with a warning when not root or without LXC, unless CHAINVISOR_REQUIRE_ALL=1.
#include "hosts/lxc/lxc_host.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "eventually.h"
#include "hosts/lxc/cgroup_facts.h"
#include "hosts/lxc/files.h"
#include "os/process.h"

namespace {

namespace fs = std::filesystem;
using chainvisor::hosts::ContainerSpec;
using chainvisor::hosts::ErrorKind;
using chainvisor::hosts::FileWrite;
using chainvisor::hosts::lxc::LxcHost;
using chainvisor::hosts::lxc::LxcHostOptions;
using chainvisor::os::ProcessOptions;
using chainvisor::os::ProcessResult;
using chainvisor::os::SystemProcessRunner;
using chainvisor::plan::FieldChange;
using chainvisor::plan::ObservedContainer;
using chainvisor::plan::OwnerMarker;
using chainvisor::plan::PowerState;
using chainvisor::spec::Ipv4Address;
using chainvisor::spec::Ipv4Cidr;
using chainvisor::test::eventually;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kCacheDir = "/var/cache/chainvisor/lxc";

bool onPath(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = dirs.find(':', start);
        const std::string dir = dirs.substr(start, end - start);
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) {
            return true;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return false;
}

std::optional<std::string> missingRequirement() {
    if (::geteuid() != 0) {
        return "needs root";
    }
    for (const char* tool : {"lxc-start", "lxc-attach", "lxc-ls", "ip"}) {
        if (!onPath(tool)) {
            return std::string(tool) + " is not installed";
        }
    }
    if (!fs::exists(fs::path(kCacheDir) / "bookworm-base/etc") && !onPath("debootstrap")) {
        return "debootstrap is not installed and no base root filesystem is cached";
    }
    return std::nullopt;
}

bool requireAll() {
    const char* v = std::getenv("CHAINVISOR_REQUIRE_ALL");
    return v != nullptr && std::string(v) == "1";
}

#define SKIP_WITHOUT_LXC()                                         \
    do {                                                           \
        if (auto why = missingRequirement()) {                     \
            if (requireAll()) {                                    \
                FAIL("LXC integration test cannot run: " << *why); \
            }                                                      \
            WARN("skipped: LXC integration test " << *why);        \
            return;                                                \
        }                                                          \
    } while (0)

ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds deadline = 30s) {
    SystemProcessRunner runner;
    ProcessOptions options;
    options.deadline = deadline;
    return runner.run(argv, options);
}

double secondsSince(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

void timing(const std::string& what, double seconds) {
    std::cout << "[timing] " << what << ": " << seconds << " s" << std::endl;
}

// A fingerprint of a directory tree: every entry's path, type, mode, size, mtime and inode.
std::uint64_t treeFingerprint(const fs::path& root, std::size_t& entries) {
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](std::string_view s) {
        for (const char c : s) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
    };
    entries = 0;
    std::vector<std::string> lines;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none);
         it != fs::recursive_directory_iterator(); ++it) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0) {
            continue;
        }
        lines.push_back(it->path().string() + " " + std::to_string(st.st_mode) + " " +
                        std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino));
    }
    std::sort(lines.begin(), lines.end());
    for (const auto& l : lines) {
        mix(l);
        mix("\n");
    }
    entries = lines.size();
    return h;
}

// One test's world: its own bridge and lxcpath, torn down whatever happens.
class Sandbox {
public:
    Sandbox() {
        bridge_ = "cvt" + std::to_string(::getpid() % 1000000);
        const auto addrs = run({"ip", "-4", "-o", "addr", "show"}).out;
        for (int x = 1 + ::getpid() % 200; x < 255; ++x) {
            if (addrs.find("10.231." + std::to_string(x) + ".") == std::string::npos) {
                subnet_ = x;
                break;
            }
        }
        char pattern[] = "/var/tmp/chainvisor-lxc-test-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        lxcPath_ = pattern;
        LxcHostOptions options;
        options.name = "local";
        options.lxcPath = lxcPath_;
        options.cacheDir = kCacheDir;
        options.rollbackStopGrace = 30s;
        host_.emplace(options, runner_);
    }
    ~Sandbox() {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(lxcPath_, ec)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("cv-", 0) == 0) {
                (void)run({"lxc-stop", "-P", lxcPath_.string(), "-n", name, "-k"});
            }
        }
        auto removed = chainvisor::hosts::lxc::removeTree(lxcPath_);
        if (!removed) {
            std::cerr << "cleanup: " << removed.error().message << std::endl;
        }
        if (fs::exists("/sys/class/net/" + bridge_)) {
            (void)run({"ip", "link", "del", "dev", bridge_});
        }
    }
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    LxcHost& host() { return *host_; }
    const fs::path& lxcPath() const { return lxcPath_; }
    const std::string& bridge() const { return bridge_; }
    std::string address(int last) const {
        return "10.231." + std::to_string(subnet_) + "." + std::to_string(last);
    }

    ContainerSpec spec(int vmid, const std::string& node, int last) const {
        ContainerSpec s;
        s.vmid = vmid;
        s.hostname = "cvt-" + node;
        s.resources.cores = 1;
        s.resources.memoryMiB = 256;
        s.resources.swapMiB = 128;
        s.resources.diskGiB = 4;
        s.ip = Ipv4Cidr::parse(address(last) + "/24");
        s.gateway = Ipv4Address::parse(address(1));
        s.bridge = bridge_;
        s.owner = OwnerMarker{"itest", node};
        return s;
    }

    std::string lxcInfoPid(int vmid) const {
        auto r = run(
            {"lxc-info", "-P", lxcPath_.string(), "-n", LxcHost::containerName(vmid), "-p", "-H"});
        return r.out;
    }
    std::string cgroupValue(int vmid, const std::string& key) const {
        auto r =
            run({"lxc-cgroup", "-P", lxcPath_.string(), "-n", LxcHost::containerName(vmid), key});
        return r.out.substr(0, r.out.find('\n'));
    }

private:
    SystemProcessRunner runner_;
    std::string bridge_;
    int subnet_ = 231;
    fs::path lxcPath_;
    std::optional<LxcHost> host_;
};

const ObservedContainer* find(const chainvisor::plan::ObservedHost& h, int vmid) {
    return h.findContainer(vmid);
}

std::string execOut(LxcHost& host, int vmid, const std::vector<std::string>& argv) {
    auto r = host.exec(vmid, argv, 30s);
    INFO("exec error: " << (r ? std::string("none") : r.error().message));
    REQUIRE(r);
    INFO("stderr: " << r.value().err);
    REQUIRE(r.value().exitCode == 0);
    return r.value().out;
}

std::string readInside(LxcHost& host, int vmid, const std::string& path) {
    return execOut(host, vmid, {"cat", "--", path});
}

}  // namespace

TEST_CASE("LXC host: the whole life of two containers", "[integration][lxc]") {
    SKIP_WITHOUT_LXC();
    Sandbox box;
    LxcHost& host = box.host();

    auto t0 = SteadyClock::now();
    REQUIRE(host.prepareBase());
    timing("base root filesystem ready (built now or cached)", secondsSince(t0));
    std::size_t baseEntries = 0;
    const auto baseBefore = treeFingerprint(host.basePath(), baseEntries);
    REQUIRE(baseEntries > 1000);

    const auto a = box.spec(101, "a", 11);
    const auto b = box.spec(102, "b", 12);

    // Create both at once: calls for different vmids run concurrently.
    t0 = SteadyClock::now();
    std::optional<chainvisor::hosts::Result<void>> createdB;
    std::thread other([&] { createdB.emplace(host.create(b)); });
    auto createdA = host.create(a);
    other.join();
    timing("create two containers (concurrently)", secondsSince(t0));
    REQUIRE(createdA);
    REQUIRE(*createdB);

    // Idempotent create; a create for another owner is refused.
    CHECK(host.create(a));
    {
        auto intruder = a;
        intruder.owner = OwnerMarker{"othercluster", "x"};
        auto r = host.create(intruder);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::Permanent);
        CHECK(r.error().message.find("cv-101") != std::string::npos);
    }

    auto observed = host.observe();
    REQUIRE(observed);
    CHECK(observed.value().reachable);
    CHECK(observed.value().name == "local");
    REQUIRE(observed.value().containers.size() == 2);
    CHECK(find(observed.value(), 101)->power == PowerState::Stopped);

    t0 = SteadyClock::now();
    REQUIRE(host.start(101));
    timing("start (created → RUNNING)", secondsSince(t0));
    const auto started = SteadyClock::now();
    REQUIRE(host.start(102));
    CHECK(host.start(101));  // already running
    CHECK(fs::exists("/sys/class/net/" + box.bridge() + "/bridge"));

    observed = host.observe();
    REQUIRE(observed);
    for (const auto* spec : {&a, &b}) {
        const auto* c = find(observed.value(), spec->vmid);
        REQUIRE(c != nullptr);
        CHECK(c->power == PowerState::Running);
        REQUIRE(c->owner);
        CHECK(c->owner->cluster == "itest");
        CHECK(c->owner->node == spec->owner.node);
        CHECK(c->hostname == spec->hostname);
        CHECK(c->resources == spec->resources);
        CHECK(c->ip == spec->ip);
        CHECK(c->gateway == spec->gateway);
        CHECK(c->bridge == box.bridge());
        CHECK(c->snapshots.empty());
        CHECK(c->pveNode.empty());
    }

    // exec: output, exit code, identity, network.
    {
        auto r = host.exec(101, {"sh", "-c", "echo out; echo err >&2; exit 3"}, 30s);
        REQUIRE(r);
        CHECK(r.value().exitCode == 3);
        CHECK(r.value().out == "out\n");
        CHECK(r.value().err == "err\n");
        t0 = SteadyClock::now();
        auto t = host.exec(101, {"true"}, 30s);
        timing("exec round trip (lxc-info + lxc-attach true)", secondsSince(t0));
        REQUIRE(t);
        CHECK(t.value().exitCode == 0);
        CHECK(execOut(host, 101, {"hostname"}) == "cvt-a\n");
        CHECK(readInside(host, 101, "/etc/hostname") == "cvt-a\n");
        CHECK(execOut(host, 101, {"ip", "-4", "-o", "addr", "show", "dev", "eth0"})
                  .find(box.address(11) + "/24") != std::string::npos);
        CHECK(readInside(host, 101, "/etc/machine-id") != readInside(host, 102, "/etc/machine-id"));
        // b answers a (connection refused = the packet got there and back).
        const std::string probe =
            "import socket\ntry:\n socket.create_connection(('" + box.address(12) +
            "', 9), 5)\n print('open')\nexcept ConnectionRefusedError:\n print('refused')\n"
            "except OSError as e:\n print('unreachable', e)\n";
        CHECK(execOut(host, 101, {"python3", "-c", probe}) == "refused\n");
        // systemd is PID 1 and comes up.
        CHECK(readInside(host, 101, "/proc/1/comm") == "systemd\n");
        CHECK(eventually(
            [&] {
                auto s = host.exec(101, {"systemctl", "is-system-running"}, 10s);
                return s && (s.value().out == "running\n" || s.value().out == "degraded\n");
            },
            60s, 50ms));
        timing("start → systemctl is-system-running says running (measured from start)",
               secondsSince(started));
    }

    // A command past its deadline is killed, inside the container too.
    {
        t0 = SteadyClock::now();
        auto r = host.exec(101, {"sleep", "30"}, 1s);
        const double took = secondsSince(t0);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::Transient);
        CHECK(r.error().message.find("timed out") != std::string::npos);
        CHECK(took < 6);
        // No live `sleep` is left in the container (its zombie is the host init's to reap).
        const std::string liveSleepers =
            "for p in /proc/[0-9]*; do if [ \"$(cat $p/comm 2>/dev/null)\" = sleep ] && "
            "! grep -q '^State:.*Z' $p/status 2>/dev/null; then echo $p; fi; done";
        CHECK(eventually(
            [&] {
                auto ps = host.exec(101, {"sh", "-c", liveSleepers}, 10s);
                return ps && ps.value().exitCode == 0 && ps.value().out.empty();
            },
            10s, 50ms));
    }

    // writeFile: content through stdin, mode, owner, no shell interpretation anywhere.
    {
        const std::string content = "key=value\n$(touch /tmp/pwned) `id` 'q' \"d\" ;|&\nend";
        FileWrite f{"/etc/chainvisor test/sub dir/secret; $(x).conf", content, 0640, "nobody",
                    "daemon"};
        REQUIRE(host.writeFile(101, f));
        CHECK(readInside(host, 101, f.path) == content);
        CHECK(execOut(host, 101, {"stat", "-c", "%a %U %G", f.path}) == "640 nobody daemon\n");
        CHECK(execOut(host, 101, {"stat", "-c", "%a", "/etc/chainvisor test/sub dir"}) == "755\n");
        CHECK(execOut(host, 101, {"sh", "-c", "test -e /tmp/pwned && echo yes || echo no"}) ==
              "no\n");
        // Rewriting replaces it; no temporary file is left behind.
        f.content = "second";
        f.mode = 0600;
        REQUIRE(host.writeFile(101, f));
        CHECK(readInside(host, 101, f.path) == "second");
        CHECK(execOut(host, 101, {"stat", "-c", "%a", f.path}) == "600\n");
        CHECK(execOut(host, 101, {"ls", "-A", "/etc/chainvisor test/sub dir"}) ==
              "secret; $(x).conf\n");

        auto relative = host.writeFile(101, FileWrite{"etc/x", "c", 0644, "root", "root"});
        REQUIRE_FALSE(relative);
        CHECK(relative.error().kind == ErrorKind::Permanent);
        auto badMode = host.writeFile(101, FileWrite{"/etc/x", "c", 010000, "root", "root"});
        REQUIRE_FALSE(badMode);
        CHECK(badMode.error().kind == ErrorKind::Permanent);
        auto badOwner = host.writeFile(101, FileWrite{"/etc/x", "c", 0644, "no-such-user", "root"});
        REQUIRE_FALSE(badOwner);
        CHECK(badOwner.error().message.find("c\n") == std::string::npos);
    }

    // Live memory change: no restart, visible in the cgroup and persisted in the config. The
    // limit is read under the names of the hierarchy this machine has, as the provider detects it:
    // cgroup v2 (memory.max, memory.swap.max) or v1 (memory.limit_in_bytes, memsw = memory + swap).
    {
        const auto cgroups = chainvisor::hosts::lxc::detectCgroupFacts();
        const std::string memoryKey = cgroups.unified ? "memory.max" : "memory.limit_in_bytes";
        const std::string configKey =
            (cgroups.unified ? "lxc.cgroup2." : "lxc.cgroup.") + memoryKey;
        INFO("cgroup " << (cgroups.unified ? "v2" : "v1")
                       << (cgroups.swapLimit ? " with" : " without") << " a swap limit");
        const std::string pidBefore = box.lxcInfoPid(101);
        auto bigger = a;
        bigger.resources.memoryMiB = 384;
        bigger.resources.swapMiB = 64;
        REQUIRE(host.update(bigger, {FieldChange{"memory", "256", "384", true},
                                     FieldChange{"swap", "128", "64", true}}));
        CHECK(box.cgroupValue(101, memoryKey) == std::to_string(384LL << 20));
        const auto config = chainvisor::hosts::lxc::readFile(host.containerDir(101) / "config");
        REQUIRE(config);
        CHECK(config->find(configKey + " = " + std::to_string(384LL << 20)) != std::string::npos);
        if (cgroups.swapLimit && cgroups.unified) {
            CHECK(box.cgroupValue(101, "memory.swap.max") == std::to_string(64LL << 20));
        } else if (cgroups.swapLimit) {
            CHECK(box.cgroupValue(101, "memory.memsw.limit_in_bytes") ==
                  std::to_string((384LL + 64) << 20));
        }
        CHECK(box.lxcInfoPid(101) == pidBefore);
        // Shrink again (the other ordering of memory and memsw).
        REQUIRE(host.update(a, {FieldChange{"memory", "384", "256", true},
                                FieldChange{"swap", "64", "128", true}}));
        CHECK(box.cgroupValue(101, memoryKey) == std::to_string(256LL << 20));
        if (cgroups.swapLimit && cgroups.unified) {
            CHECK(box.cgroupValue(101, "memory.swap.max") == std::to_string(128LL << 20));
        } else if (cgroups.swapLimit) {
            CHECK(box.cgroupValue(101, "memory.memsw.limit_in_bytes") ==
                  std::to_string((256LL + 128) << 20));
        }
        observed = host.observe();
        REQUIRE(observed);
        CHECK(find(observed.value(), 101)->resources == a.resources);
        // Restart-only fields are refused live.
        auto renamed = a;
        renamed.hostname = "cvt-other";
        auto r = host.update(renamed, {FieldChange{"hostname", "cvt-a", "cvt-other", true}});
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::Permanent);
    }

    // Snapshot (of a running container: frozen for the copy), change, roll back.
    {
        REQUIRE(host.writeFile(101, FileWrite{"/root/state.txt", "v1", 0644, "root", "root"}));
        t0 = SteadyClock::now();
        REQUIRE(host.snapshot(101, "before-change"));
        timing("snapshot of a running container", secondsSince(t0));
        CHECK(host.snapshot(101, "before-change"));  // taken already
        auto bad = host.snapshot(101, "1-bad name");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().kind == ErrorKind::Permanent);
        observed = host.observe();
        REQUIRE(observed);
        CHECK(find(observed.value(), 101)->power == PowerState::Running);  // thawed
        CHECK(find(observed.value(), 101)->snapshots == std::vector<std::string>{"before-change"});

        REQUIRE(host.writeFile(101, FileWrite{"/root/state.txt", "v2", 0644, "root", "root"}));
        REQUIRE(host.writeFile(101, FileWrite{"/root/new.txt", "new", 0644, "root", "root"}));
        REQUIRE(host.exec(101, {"rm", "/etc/issue"}, 10s));
        CHECK(readInside(host, 101, "/root/state.txt") == "v2");

        auto missing = host.rollback(101, "nope");
        REQUIRE_FALSE(missing);
        CHECK(missing.error().kind == ErrorKind::Permanent);

        t0 = SteadyClock::now();
        REQUIRE(host.rollback(101, "before-change"));
        timing("rollback (clean stop + restore)", secondsSince(t0));
        observed = host.observe();
        REQUIRE(observed);
        CHECK(find(observed.value(), 101)->power == PowerState::Stopped);
        REQUIRE(host.start(101));
        CHECK(readInside(host, 101, "/root/state.txt") == "v1");
        CHECK(execOut(host, 101, {"sh", "-c", "test -e /root/new.txt && echo yes || echo no"}) ==
              "no\n");
        CHECK_FALSE(readInside(host, 101, "/etc/issue").empty());  // the base's file is back
        CHECK(readInside(host, 101, "/etc/hostname") == "cvt-a\n");
    }

    // Clean stop, idempotent, and start again.
    {
        t0 = SteadyClock::now();
        REQUIRE(host.stop(101, 30s));
        const double took = secondsSince(t0);
        timing("clean stop (systemd halt)", took);
        CHECK(took < 25);  // systemd shut down; lxc-stop did not have to kill after the grace
        CHECK(host.stop(101, 30s));
        observed = host.observe();
        REQUIRE(observed);
        CHECK(find(observed.value(), 101)->power == PowerState::Stopped);
        auto r = host.exec(101, {"true"}, 10s);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::Transient);
        CHECK(r.error().message == "container cv-101 is not running");
        REQUIRE(host.start(101));
        CHECK(execOut(host, 101, {"echo", "back"}) == "back\n");
    }

    // Restart-class changes on a stopped container take effect at the next start.
    {
        REQUIRE(host.stop(102, 30s));
        auto renamed = b;
        renamed.hostname = "cvt-b2";
        renamed.ip = Ipv4Cidr::parse(box.address(22) + "/24");
        REQUIRE(host.update(renamed, {FieldChange{"hostname", "cvt-b", "cvt-b2", false},
                                      FieldChange{"ip", b.ip->str(), renamed.ip->str(), false}}));
        REQUIRE(host.start(102));
        CHECK(execOut(host, 102, {"hostname"}) == "cvt-b2\n");
        CHECK(readInside(host, 102, "/etc/hostname") == "cvt-b2\n");
        CHECK(execOut(host, 102, {"ip", "-4", "-o", "addr", "show", "dev", "eth0"})
                  .find(box.address(22) + "/24") != std::string::npos);
        observed = host.observe();
        REQUIRE(observed);
        CHECK(find(observed.value(), 102)->hostname == "cvt-b2");
        CHECK(find(observed.value(), 102)->ip == renamed.ip);
    }

    // Disk size is recorded and only grows.
    {
        REQUIRE(host.resizeDisk(101, 8));
        CHECK(host.resizeDisk(101, 8));
        auto shrink = host.resizeDisk(101, 2);
        REQUIRE_FALSE(shrink);
        CHECK(shrink.error().kind == ErrorKind::Permanent);
        observed = host.observe();
        REQUIRE(observed);
        CHECK(find(observed.value(), 101)->resources.diskGiB == 8);
    }

    // Destroy both (one running: killed); twice is fine; the base is untouched.
    t0 = SteadyClock::now();
    REQUIRE(host.destroy(101));
    timing("destroy a running container", secondsSince(t0));
    REQUIRE(host.stop(102, 30s));
    REQUIRE(host.destroy(102));
    CHECK(host.destroy(101));
    CHECK_FALSE(fs::exists(host.containerDir(101)));
    CHECK_FALSE(fs::exists(host.containerDir(102)));
    observed = host.observe();
    REQUIRE(observed);
    CHECK(observed.value().containers.empty());
    std::size_t entriesAfter = 0;
    CHECK(treeFingerprint(host.basePath(), entriesAfter) == baseBefore);
    CHECK(entriesAfter == baseEntries);
    CHECK(fs::is_empty(box.lxcPath() / ".chainvisor" / "trash"));
}

TEST_CASE("LXC host: containers without our marker are reported and left alone",
          "[integration][lxc]") {
    SKIP_WITHOUT_LXC();
    Sandbox box;
    LxcHost& host = box.host();
    REQUIRE(host.prepareBase());

    const auto spec = box.spec(201, "c", 31);
    REQUIRE(host.create(spec));
    // Someone else's container in our lxcpath: same layout, no marker.
    fs::remove(host.containerDir(201) / "chainvisor.json");

    auto observed = host.observe();
    REQUIRE(observed);
    const auto* c = find(observed.value(), 201);
    REQUIRE(c != nullptr);
    CHECK_FALSE(c->owner);
    CHECK(c->power == PowerState::Stopped);
    CHECK(c->hostname == "cvt-c");

    auto refused = [](const chainvisor::hosts::Result<void>& r) {
        return !r && r.error().kind == ErrorKind::Permanent &&
               r.error().message.find("cv-201") != std::string::npos;
    };
    CHECK(refused(host.start(201)));
    CHECK(refused(host.stop(201, 5s)));
    CHECK(refused(host.snapshot(201, "snap")));
    CHECK(refused(host.rollback(201, "snap")));
    CHECK(refused(host.destroy(201)));
    CHECK(refused(host.resizeDisk(201, 10)));
    CHECK(refused(host.update(spec, {FieldChange{"memory", "256", "512", true}})));
    CHECK(refused(host.create(spec)));
    CHECK(refused(host.writeFile(201, FileWrite{"/etc/x", "x", 0644, "root", "root"})));
    auto e = host.exec(201, {"true"}, 5s);
    CHECK((!e && e.error().kind == ErrorKind::Permanent));
    CHECK(fs::exists(host.containerDir(201) / "config"));  // nothing was touched

    // adopt: true (an "owner" change) takes it over; then it is ours like any other.
    REQUIRE(host.update(spec, {FieldChange{"owner", "", "itest/c", true}}));
    observed = host.observe();
    REQUIRE(observed);
    REQUIRE(find(observed.value(), 201)->owner);
    CHECK(find(observed.value(), 201)->owner->node == "c");

    // Another cluster's marker: never taken over, not even with adopt.
    auto foreign = spec;
    foreign.owner = OwnerMarker{"elsewhere", "c"};
    CHECK(refused(host.update(foreign, {FieldChange{"owner", "itest/c", "elsewhere/c", true}})));
    CHECK(refused(host.update(foreign, {FieldChange{"memory", "256", "512", true}})));

    // Start/stop are idempotent, and destroy of a missing container succeeds.
    REQUIRE(host.start(201));
    CHECK(host.start(201));
    // Stopping right after a start: the first halt request can reach systemd before it listens;
    // it is repeated, so this does not wait for the whole grace.
    auto t0 = SteadyClock::now();
    REQUIRE(host.stop(201, 30s));
    timing("clean stop right after start", secondsSince(t0));
    CHECK(secondsSince(t0) < 20);
    CHECK(host.stop(201, 30s));
    REQUIRE(host.destroy(201));
    CHECK(host.destroy(201));
    CHECK(host.destroy(999));

    // Bad names and parameters are permanent.
    auto badName = spec;
    badName.vmid = 202;
    badName.hostname = "bad_host name";
    auto r = host.create(badName);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Permanent);
    CHECK_FALSE(fs::exists(host.containerDir(202)));
}
