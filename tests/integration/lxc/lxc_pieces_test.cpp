// The LXC provider's pieces that need no LXC and no root: config editing, the marker, names,
// tree removal, the base build's locking and clean-up (with a scripted process runner), and the
// provider's error classes when a tool fails.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hosts/lxc/base_rootfs.h"
#include "hosts/lxc/cgroup_facts.h"
#include "hosts/lxc/container_config.h"
#include "hosts/lxc/files.h"
#include "hosts/lxc/lxc_host.h"
#include "hosts/lxc/marker.h"

namespace {

namespace fs = std::filesystem;
using namespace chainvisor::hosts::lxc;
using chainvisor::hosts::ContainerSpec;
using chainvisor::hosts::ErrorKind;
using chainvisor::os::ProcessOptions;
using chainvisor::os::ProcessResult;
using chainvisor::os::ProcessRunner;
using chainvisor::plan::OwnerMarker;
using chainvisor::spec::Ipv4Address;
using chainvisor::spec::Ipv4Cidr;

class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/chainvisor-lxc-pieces-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Answers every command with a canned result, and records what it was asked.
class ScriptedRunner final : public ProcessRunner {
public:
    using Handler = std::function<ProcessResult(const std::vector<std::string>&)>;
    explicit ScriptedRunner(Handler handler) : handler_(std::move(handler)) {}
    ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions&) override {
        {
            std::lock_guard guard(mutex_);
            calls.push_back(argv);
        }
        return handler_(argv);
    }
    std::size_t count(const std::string& program) {
        std::lock_guard guard(mutex_);
        return static_cast<std::size_t>(std::count_if(
            calls.begin(), calls.end(), [&](const auto& c) { return c.front() == program; }));
    }
    std::vector<std::vector<std::string>> calls;

private:
    Handler handler_;
    std::mutex mutex_;
};

ProcessResult ok(std::string out = {}) {
    ProcessResult r;
    r.exitCode = 0;
    r.out = std::move(out);
    return r;
}

ContainerSpec sampleSpec() {
    ContainerSpec s;
    s.vmid = 101;
    s.hostname = "val1";
    s.resources.cores = 4;
    s.resources.memoryMiB = 2048;
    s.resources.swapMiB = 512;
    s.resources.diskGiB = 16;
    s.ip = Ipv4Cidr::parse("10.10.0.11/24");
    s.gateway = Ipv4Address::parse("10.10.0.1");
    s.bridge = "vmbr0";
    s.owner = OwnerMarker{"devnet", "val1"};
    return s;
}

}  // namespace

TEST_CASE("lxc: cpu lists parse and format", "[lxc][pieces]") {
    CHECK(parseCpuList("0-3,8\n") == std::vector<int>{0, 1, 2, 3, 8});
    CHECK(parseCpuList("1") == std::vector<int>{1});
    CHECK(parseCpuList("3-1").empty());
    CHECK(parseCpuList("a").empty());
    CHECK(formatCpuList({0, 1, 2, 3, 8}) == "0-3,8");
    CHECK(formatCpuList({0}) == "0");
    CHECK(formatCpuList({0, 2}) == "0,2");
}

TEST_CASE("lxc: managed config keys are rewritten, everything else is kept", "[lxc][pieces]") {
    CgroupFacts v1{false, true, {0, 1}};
    auto config = LxcConfig::parse(
        initialConfig("overlay:/base:/c/upper", "02:00:00:00:00:01", "/c/lxc.log") +
        "lxc.mount.entry = /srv srv none bind 0 0\n");
    config.replace(managedKeys(), managedEntries(sampleSpec(), v1));
    const auto text = config.text();
    CHECK(text.find("lxc.mount.entry = /srv srv none bind 0 0\n") != std::string::npos);
    CHECK(text.find("lxc.cgroup.memory.limit_in_bytes = 2147483648\n") != std::string::npos);
    CHECK(text.find("lxc.cgroup.memory.memsw.limit_in_bytes = 2684354560\n") != std::string::npos);
    CHECK(text.find("lxc.cgroup.cpuset.cpus = 0-1\n") != std::string::npos);  // clamped
    CHECK(text.find("lxc.net.0.ipv4.address = 10.10.0.11/24\n") != std::string::npos);

    auto s = readSettings(config);
    CHECK(s.hostname == "val1");
    CHECK(s.bridge == "vmbr0");
    CHECK(s.ip == Ipv4Cidr::parse("10.10.0.11/24"));
    CHECK(s.gateway == Ipv4Address::parse("10.10.0.1"));
    CHECK(s.memoryMiB == 2048);
    CHECK(s.swapMiB == 512);
    CHECK(s.cpuCount == 2);
    CHECK(s.rootfs == "overlay:/base:/c/upper");

    // Rewriting again replaces, never duplicates; a removed ip disappears.
    auto spec = sampleSpec();
    spec.ip.reset();
    spec.gateway.reset();
    spec.resources.memoryMiB = 1024;
    config.replace(managedKeys(), managedEntries(spec, v1));
    const auto again = config.text();
    CHECK(again.find("ipv4") == std::string::npos);
    CHECK(again.find("limit_in_bytes = 2147483648") == std::string::npos);
    CHECK(readSettings(config).memoryMiB == 1024);

    // cgroup v2 and no swap accounting: other keys, swap not in the config.
    CgroupFacts v2{true, false, {0, 1, 2, 3, 4, 5}};
    config.replace(managedKeys(), managedEntries(sampleSpec(), v2));
    const auto v2text = config.text();
    CHECK(v2text.find("lxc.cgroup2.memory.max = 2147483648\n") != std::string::npos);
    CHECK(v2text.find("lxc.cgroup2.cpuset.cpus = 0-3\n") != std::string::npos);
    CHECK(v2text.find("swap") == std::string::npos);
    CHECK(v2text.find("lxc.cgroup.") == std::string::npos);
    CHECK_FALSE(readSettings(config).swapMiB);
}

TEST_CASE("lxc: byte sizes parse", "[lxc][pieces]") {
    CHECK(parseBytes("1073741824") == 1073741824LL);
    CHECK(parseBytes("512M") == 512LL << 20);
    CHECK(parseBytes(" 2G ") == 2LL << 30);
    CHECK_FALSE(parseBytes("max"));
    CHECK_FALSE(parseBytes("-1"));
    CHECK_FALSE(parseBytes(""));
}

TEST_CASE("lxc: names that reach configs and command lines are checked", "[lxc][pieces]") {
    CHECK(validHostname("val1"));
    CHECK(validHostname("val-1.example.org"));
    CHECK_FALSE(validHostname("bad_name"));
    CHECK_FALSE(validHostname("-x"));
    CHECK_FALSE(validHostname("a..b"));
    CHECK_FALSE(validHostname("x\nlxc.rootfs.path = /"));
    CHECK_FALSE(validHostname(std::string(64, 'a')));
    CHECK(validBridge("vmbr0"));
    CHECK(validBridge("cvt12345"));
    CHECK_FALSE(validBridge("a-bridge-name-too-long"));
    CHECK_FALSE(validBridge("br 0"));
    CHECK_FALSE(validBridge(".."));
    CHECK(LxcHost::containerName(101) == "cv-101");
}

TEST_CASE("lxc: the marker round-trips and rejects what is not a marker", "[lxc][pieces]") {
    const Marker m = markerFor(sampleSpec());
    const auto text = renderMarker(m);
    const auto back = parseMarker(text);
    REQUIRE(back);
    CHECK(back->owner.cluster == "devnet");
    CHECK(back->owner.node == "val1");
    CHECK(back->vmid == 101);
    CHECK(back->hostname == "val1");
    CHECK(back->resources == m.resources);
    CHECK(back->ip == m.ip);
    CHECK(back->gateway == m.gateway);
    CHECK(back->bridge == "vmbr0");
    CHECK(text.find("\"diskGiB\":16") != std::string::npos);

    CHECK_FALSE(parseMarker(""));
    CHECK_FALSE(parseMarker("{}"));
    CHECK_FALSE(parseMarker("[1]"));
    CHECK_FALSE(parseMarker(R"({"cluster":"c","node":"n"})"));
    CHECK_FALSE(parseMarker(R"({"cluster":"","node":"n","vmid":1})"));
    CHECK(parseMarker(R"({"cluster":"c","node":"n","vmid":1})"));
}

TEST_CASE("lxc: removeTree removes a tree and never follows a symlink out of it", "[lxc][pieces]") {
    TempDir tmp;
    const fs::path outside = tmp.path() / "outside";
    fs::create_directories(outside / "keep");
    std::ofstream(outside / "keep" / "file") << "precious";
    const fs::path tree = tmp.path() / "tree";
    fs::create_directories(tree / "a" / "b");
    std::ofstream(tree / "a" / "b" / "f") << "x";
    fs::create_directory_symlink(outside / "keep", tree / "a" / "link-to-dir");
    fs::create_symlink(outside / "keep" / "file", tree / "link-to-file");
    ::mkfifo((tree / "fifo").c_str(), 0600);

    REQUIRE(removeTree(tree));
    CHECK_FALSE(fs::exists(tree));
    CHECK(fs::exists(outside / "keep" / "file"));
    CHECK(removeTree(tree));  // missing: success
    CHECK(mountsUnder("/proc").size() >= 1);
    CHECK(mountsUnder(tree).empty());
    auto refused = removeTree("/proc/self/..");
    CHECK_FALSE(refused);
}

TEST_CASE("lxc: writeFileAtomic replaces files whole and FileLock excludes", "[lxc][pieces]") {
    TempDir tmp;
    const auto file = tmp.path() / "f";
    REQUIRE(writeFileAtomic(file, "one", 0600));
    REQUIRE(writeFileAtomic(file, "two", 0640));
    CHECK(readFile(file) == "two");
    CHECK((fs::status(file).permissions() & fs::perms::all) == fs::perms(0640));
    CHECK(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()) == 1);

    auto first = FileLock::acquire(tmp.path() / "l.lock", std::chrono::milliseconds(0));
    REQUIRE(first);
    auto second = FileLock::acquire(tmp.path() / "l.lock", std::chrono::milliseconds(100));
    REQUIRE_FALSE(second);
    CHECK(second.error().kind == ErrorKind::Transient);
    CHECK(second.error().message.find("busy") != std::string::npos);
}

TEST_CASE("lxc: the base is built once, behind a lock, after removing interrupted builds",
          "[lxc][pieces]") {
    TempDir cache;
    // An interrupted earlier build.
    fs::create_directories(cache.path() / ".bookworm-base.tmp-ABCDEF" / "usr");
    std::atomic<int> builds{0};
    ScriptedRunner runner([&](const std::vector<std::string>& argv) {
        REQUIRE(argv.front() == "debootstrap");
        CHECK(argv[1] == "--variant=minbase");
        const fs::path target = argv[argv.size() - 2];
        CHECK(target.filename().string().rfind(".bookworm-base.tmp-", 0) == 0);
        CHECK(fs::exists(target));
        CHECK_FALSE(fs::exists(cache.path() / ".bookworm-base.tmp-ABCDEF"));
        ++builds;
        fs::create_directories(target / "etc");
        fs::create_directories(target / "var/cache/apt/archives");
        std::ofstream(target / "etc/machine-id") << "0123456789abcdef0123456789abcdef\n";
        std::ofstream(target / "etc/hostname") << "buildhost\n";
        std::ofstream(target / "var/cache/apt/archives/x.deb") << "deb";
        return ok();
    });
    BaseRootfs base(cache.path(), "http://mirror.invalid/debian", runner, std::chrono::minutes(1));
    CHECK_FALSE(base.ready());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            if (!base.ensure()) {
                ++failures;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(failures == 0);
    CHECK(builds == 1);
    CHECK(base.ready());
    CHECK(readFile(base.path() / "etc/machine-id") == "");
    CHECK_FALSE(fs::exists(base.path() / "etc/hostname"));
    CHECK_FALSE(fs::exists(base.path() / "var/cache/apt/archives/x.deb"));
    REQUIRE(base.ensure());
    CHECK(builds == 1);

    // A failed build leaves nothing behind and says why.
    TempDir other;
    ScriptedRunner failing([](const std::vector<std::string>&) {
        ProcessResult r;
        r.exitCode = 1;
        r.err = "E: Couldn't download packages\n";
        return r;
    });
    BaseRootfs broken(other.path(), "http://mirror.invalid/debian", failing,
                      std::chrono::minutes(1));
    auto r = broken.ensure();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Transient);
    CHECK(r.error().message.find("Couldn't download packages") != std::string::npos);
    for (const auto& e : fs::directory_iterator(other.path())) {
        CHECK(e.path().filename() == "bookworm-base.lock");
    }
}

TEST_CASE("lxc: provider errors: failing tools are transient, bad input permanent",
          "[lxc][pieces]") {
    TempDir root;
    fs::create_directories(root.path() / "cache" / "bookworm-base" / "etc");
    LxcHostOptions options;
    options.lxcPath = root.path() / "lxc";
    options.cacheDir = root.path() / "cache";
    options.cgroups = CgroupFacts{false, true, {0, 1}};

    ProcessResult lsFails;
    lsFails.exitCode = 1;
    lsFails.err = "lxc-ls: failed to get lock\n";
    ScriptedRunner runner([&](const std::vector<std::string>& argv) {
        if (argv.front() == "lxc-ls") {
            return lsFails;
        }
        if (argv.front() == "lxc-info") {
            return ok("STOPPED\n");
        }
        return ok();
    });
    LxcHost host(options, runner);

    // Nothing there yet: reachable and empty, without running any tool.
    auto empty = host.observe();
    REQUIRE(empty);
    CHECK(empty.value().reachable);
    CHECK(empty.value().containers.empty());
    CHECK(runner.calls.empty());

    REQUIRE(host.create(sampleSpec()));
    CHECK(fs::exists(host.containerDir(101) / "chainvisor.json"));
    CHECK_FALSE(fs::exists(host.containerDir(101) / "chainvisor.creating"));
    const auto config = readFile(host.containerDir(101) / "config");
    REQUIRE(config);
    CHECK(
        config->find("lxc.rootfs.path = overlay:" + (root.path() / "cache/bookworm-base").string() +
                     ":" + (host.containerDir(101) / "upper").string()) != std::string::npos);
    CHECK(readFile(host.containerDir(101) / "upper/etc/hostname") == "val1\n");

    auto failed = host.observe();
    REQUIRE_FALSE(failed);
    CHECK(failed.error().kind == ErrorKind::Transient);
    CHECK(failed.error().message.find("lxc-ls failed: lxc-ls: failed to get lock") !=
          std::string::npos);

    auto spec = sampleSpec();
    spec.hostname = "bad name";
    auto bad = host.create(spec);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().kind == ErrorKind::Permanent);
    spec = sampleSpec();
    spec.gateway = Ipv4Address::parse("10.99.0.1");
    CHECK_FALSE(host.create(spec));

    auto notRunning = host.exec(101, {"true"}, std::chrono::seconds(1));
    REQUIRE_FALSE(notRunning);
    CHECK(notRunning.error().kind == ErrorKind::Transient);
    CHECK(notRunning.error().message == "container cv-101 is not running");

    auto badSnapshot = host.snapshot(101, "has space");
    REQUIRE_FALSE(badSnapshot);
    CHECK(badSnapshot.error().kind == ErrorKind::Permanent);

    // An interrupted create is started over by the next create.
    REQUIRE(host.destroy(101));
    CHECK_FALSE(fs::exists(host.containerDir(101)));
    fs::create_directories(host.containerDir(101) / "upper");
    REQUIRE(writeFileAtomic(host.containerDir(101) / "chainvisor.creating",
                            renderMarker(markerFor(sampleSpec())), 0600));
    REQUIRE(host.create(sampleSpec()));
    CHECK_FALSE(fs::exists(host.containerDir(101) / "chainvisor.creating"));
    CHECK(fs::exists(host.containerDir(101) / "chainvisor.json"));
}
