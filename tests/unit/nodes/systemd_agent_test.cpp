// The systemd node agent against a scripted host: what it runs inside the container, how it
// reads what it finds, and when a failing probe makes a node NotReady.
#include "nodes/systemd_agent.h"

#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <deque>
#include <filesystem>
#include <fstream>

#include "nodes/service/service_kind.h"

namespace chainvisor::nodes {
namespace {

using hosts::Error;
using hosts::ExecResult;
using hosts::Result;

// Records every exec and write; answers execs from a queue (default: exit 0, no output).
class ScriptedHost final : public hosts::Host {
public:
    const std::string& name() const override { return name_; }
    Result<plan::ObservedHost> observe() override { return plan::ObservedHost{}; }
    Result<void> create(const hosts::ContainerSpec&) override { return {}; }
    Result<void> update(const hosts::ContainerSpec&,
                        const std::vector<plan::FieldChange>&) override {
        return {};
    }
    Result<void> resizeDisk(int, int) override { return {}; }
    Result<void> start(int) override { return {}; }
    Result<void> stop(int, std::chrono::seconds) override { return {}; }
    Result<void> snapshot(int, const std::string&) override { return {}; }
    Result<void> rollback(int, const std::string&) override { return {}; }
    Result<void> destroy(int) override { return {}; }
    Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                            std::chrono::milliseconds) override {
        execs.push_back(argv);
        vmids.push_back(vmid);
        if (answers.empty()) {
            return ExecResult{};
        }
        auto answer = answers.front();
        answers.pop_front();
        return answer;
    }
    Result<void> writeFile(int, const hosts::FileWrite& file) override {
        writes.push_back(file);
        return {};
    }

    std::deque<Result<ExecResult>> answers;
    std::vector<std::vector<std::string>> execs;
    std::vector<int> vmids;
    std::vector<hosts::FileWrite> writes;

private:
    std::string name_ = "local";
};

// Answers every GET with `status`, or fails it with `problem`; records what was asked.
class ScriptedHttp final : public ProbeHttp {
public:
    struct Request {
        std::string address;
        int port = 0;
        std::string path;
    };
    net::HttpGetResult get(const std::string& address, int port, const std::string& target,
                           std::chrono::milliseconds, const std::string&) override {
        targets.push_back({address, port, target});
        net::HttpGetResult r;
        if (problem.empty()) {
            r.response = net::ProbeResponse{status, ""};
        } else {
            r.error = problem;
        }
        return r;
    }
    net::HttpGetResult postJson(const std::string&, int, const std::string&, const std::string&,
                                std::chrono::milliseconds, const std::string&) override {
        return {std::nullopt, "no JSON-RPC here"};
    }
    std::string problem;  // empty: answers `status`
    int status = 200;
    std::vector<Request> targets;
};

class ServiceOnly final : public KindRegistry {
public:
    const NodeKind* kindFor(const spec::Cluster&, const spec::Node&) const override {
        return &kind;
    }
    ServiceKind kind;
};

spec::Cluster webCluster() {
    spec::Cluster cluster;
    cluster.name = "lab";
    spec::Network web;
    web.name = "web";
    web.kind = spec::NetworkKind::Service;
    web.version = *spec::Version::parse("1.2.0");
    web.service = spec::ServiceSpec{};
    web.service->unit = "demo-web";
    web.service->command = {"/usr/bin/python3", "-m", "http.server", "8080"};
    web.service->user = "nobody";
    web.service->files = {{"/srv/www/index.html", "hello\n", 0640}};
    web.service->probe = spec::HttpProbeSpec{};
    web.service->probe->port = 8080;
    web.service->probe->path = "/index.html";
    web.service->probe->failureThreshold = 2;
    cluster.networks.push_back(web);
    spec::Node node;
    node.name = "web1";
    node.network = "web";
    node.role = spec::Role::Service;
    node.host = "local";
    node.vmid = 201;
    node.ip = spec::Ipv4Cidr::parse("10.99.0.21/24");
    cluster.nodes.push_back(node);
    return cluster;
}

struct Fixture {
    spec::Cluster cluster = webCluster();
    ScriptedHost host;
    ScriptedHttp prober;
    ServiceOnly kinds;
    SystemdAgent agent{kinds, prober};
    const spec::Node& node() const { return cluster.nodes[0]; }
};

ExecResult output(std::string out, int exitCode = 0, std::string err = {}) {
    return ExecResult{exitCode, std::move(out), std::move(err)};
}

// A kind whose every answer is set by the test: readings one per read() (the last one repeats),
// an install plan, config files or an error.
class ScriptedKind final : public NodeKind {
public:
    std::string unitName(const spec::Cluster&, const spec::Node&) const override { return "node"; }
    Result<std::vector<hosts::FileWrite>> configFiles(const spec::Cluster&,
                                                      const spec::Node&) const override {
        return files;
    }
    InstallPlan installPlan(const spec::Cluster&, const spec::Node&) const override { return plan; }
    std::optional<NodeReading> read(const spec::Cluster&, const spec::Node&,
                                    ProbeHttp&) const override {
        ++reads;
        if (readings.empty()) {
            return std::nullopt;
        }
        NodeReading reading = readings.front();
        if (readings.size() > 1) {
            readings.pop_front();
        }
        return reading;
    }
    GateCriteria gateCriteria(const spec::Cluster&, const spec::Node&) const override {
        return criteria;
    }

    Result<std::vector<hosts::FileWrite>> files = std::vector<hosts::FileWrite>{};
    InstallPlan plan;
    mutable std::deque<NodeReading> readings;  // empty: the kind has no probe
    mutable int reads = 0;
    GateCriteria criteria;
};

class ScriptedOnly final : public KindRegistry {
public:
    const NodeKind* kindFor(const spec::Cluster&, const spec::Node&) const override {
        return &kind;
    }
    ScriptedKind kind;
};

// A clock that moves only when the gate sleeps.
struct FakeTime {
    std::chrono::steady_clock::time_point now{};
    std::vector<std::chrono::milliseconds> sleeps;

    GateTiming timing(std::chrono::milliseconds poll) {
        GateTiming t;
        t.poll = poll;
        t.now = [this] { return now; };
        t.sleep = [this](std::chrono::milliseconds d) {
            sleeps.push_back(d);
            now += d;
        };
        return t;
    }
};

struct KindFixture {
    explicit KindFixture(std::chrono::milliseconds poll = std::chrono::seconds(5))
        : agent(kinds, prober, time.timing(poll)) {}
    spec::Cluster cluster = webCluster();
    ScriptedHost host;
    ScriptedHttp prober;
    ScriptedOnly kinds;
    FakeTime time;
    SystemdAgent agent;
    const spec::Node& node() const { return cluster.nodes[0]; }
    Result<void> perform(plan::ActionKind kind) {
        plan::Action action;
        action.kind = kind;
        action.version = spec::Version::parse("1.2.0");
        action.configFingerprint = "f00d";
        return agent.perform(host, cluster, node(), action);
    }
};

NodeReading reading(bool ready, std::optional<std::uint64_t> height, std::string problem = {}) {
    NodeReading r;
    r.ready = ready;
    r.height = height;
    r.peers = 1;
    r.problem = std::move(problem);
    return r;
}

// A file removed at the end of the test.
class TempFile {
public:
    explicit TempFile(const std::string& content) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "chainvisor-agent-XXXXXX").string();
        const int fd = ::mkstemp(pattern.data());
        REQUIRE(fd >= 0);
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

constexpr const char* kArchive = "chainvisor release\n";
// sha256sum of kArchive.
constexpr const char* kArchiveSha256 =
    "1c59dbb9e7ef05b4a7ea68363d13479614e39a72d23893e133a316cfa43d7d1e";

}  // namespace

TEST_CASE("inspect reads service state, version and fingerprint in one exec", "[nodes][agent]") {
    Fixture f;
    f.host.answers.push_back(output("service=active\nversion=1.2.0\nfingerprint=abc123\n"));
    auto r = f.agent.inspect(f.host, f.cluster, f.node());
    REQUIRE(r);
    CHECK(r.value().name == "web1");
    CHECK(r.value().service == plan::ServiceState::Active);
    CHECK(r.value().version == spec::Version::parse("1.2.0"));
    CHECK(r.value().configFingerprint == "abc123");
    CHECK(r.value().health == plan::Health::Ready);
    REQUIRE(f.host.execs.size() == 1);
    // The unit name travels as a positional argument, never inside the script text.
    CHECK(f.host.execs[0].size() == 5);
    CHECK(f.host.execs[0][0] == "sh");
    CHECK(f.host.execs[0][4] == "demo-web");
    CHECK(f.host.execs[0][2].find("demo-web") == std::string::npos);
    CHECK(f.host.vmids[0] == 201);
    REQUIRE(f.prober.targets.size() == 1);
    CHECK(f.prober.targets[0].address == "10.99.0.21");
    CHECK(f.prober.targets[0].port == 8080);
    CHECK(f.prober.targets[0].path == "/index.html");
}

TEST_CASE("inspect maps systemctl states and empty records", "[nodes][agent]") {
    struct Row {
        const char* state;
        plan::ServiceState expected;
    };
    for (const Row& row :
         {Row{"inactive", plan::ServiceState::Inactive}, Row{"failed", plan::ServiceState::Failed},
          Row{"activating", plan::ServiceState::Unknown}, Row{"", plan::ServiceState::Unknown}}) {
        Fixture f;
        f.host.answers.push_back(
            output(std::string("service=") + row.state + "\nversion=\nfingerprint=\n"));
        auto r = f.agent.inspect(f.host, f.cluster, f.node());
        REQUIRE(r);
        INFO(row.state);
        CHECK(r.value().service == row.expected);
        CHECK_FALSE(r.value().version);
        CHECK(r.value().configFingerprint.empty());
        // Only an active service is probed.
        CHECK(f.prober.targets.empty());
        CHECK(r.value().health == plan::Health::Unknown);
    }
}

TEST_CASE("a failing probe makes the node NotReady only after the threshold", "[nodes][agent]") {
    Fixture f;
    f.prober.problem = "connect 10.99.0.21:8080: Connection refused";
    const std::string active = "service=active\nversion=1.2.0\nfingerprint=x\n";
    f.host.answers.push_back(output(active));
    CHECK(f.agent.inspect(f.host, f.cluster, f.node()).value().health == plan::Health::Unknown);
    f.host.answers.push_back(output(active));
    CHECK(f.agent.inspect(f.host, f.cluster, f.node()).value().health == plan::Health::NotReady);
    f.prober.problem.clear();
    f.host.answers.push_back(output(active));
    CHECK(f.agent.inspect(f.host, f.cluster, f.node()).value().health == plan::Health::Ready);
    // One failure after a success starts the count again.
    f.prober.problem = "timed out";
    f.host.answers.push_back(output(active));
    CHECK(f.agent.inspect(f.host, f.cluster, f.node()).value().health == plan::Health::Unknown);
}

TEST_CASE("an exec error is the inspection's error", "[nodes][agent]") {
    Fixture f;
    f.host.answers.push_back(Error::transient("container cv-201 is not running"));
    auto r = f.agent.inspect(f.host, f.cluster, f.node());
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "container cv-201 is not running");
}

TEST_CASE("write-config writes every file and the unit, reloads systemd, then the fingerprint",
          "[nodes][agent]") {
    Fixture f;
    plan::Action action;
    action.kind = plan::ActionKind::WriteConfig;
    action.configFingerprint = "f00d";
    REQUIRE(f.agent.perform(f.host, f.cluster, f.node(), action));
    REQUIRE(f.host.writes.size() == 3);
    CHECK(f.host.writes[0].path == "/srv/www/index.html");
    CHECK(f.host.writes[0].content == "hello\n");
    CHECK(f.host.writes[0].mode == 0640);
    CHECK(f.host.writes[0].owner == "nobody");
    CHECK(f.host.writes[0].group.empty());  // the user's login group
    CHECK(f.host.writes[1].path == "/etc/systemd/system/demo-web.service");
    CHECK(f.host.writes[1].content.find("User=nobody") != std::string::npos);
    CHECK(f.host.writes[2].path == "/var/lib/chainvisor-node/fingerprint");
    CHECK(f.host.writes[2].content == "f00d\n");
    REQUIRE(f.host.execs.size() == 2);
    CHECK(f.host.execs[0][0] == "sh");  // waits for the container's systemd first
    CHECK(f.host.execs[1] == std::vector<std::string>{"systemctl", "daemon-reload"});
}

TEST_CASE("install records the version, the service kind needs no install commands",
          "[nodes][agent]") {
    Fixture f;
    plan::Action action;
    action.kind = plan::ActionKind::InstallSoftware;
    action.version = spec::Version::parse("1.2.0");
    REQUIRE(f.agent.perform(f.host, f.cluster, f.node(), action));
    CHECK(f.host.execs.empty());
    REQUIRE(f.host.writes.size() == 1);
    CHECK(f.host.writes[0].path == "/var/lib/chainvisor-node/version");
    CHECK(f.host.writes[0].content == "1.2.0\n");
}

TEST_CASE("service actions run systemctl on the unit", "[nodes][agent]") {
    struct Row {
        plan::ActionKind kind;
        std::vector<std::string> argv;
    };
    const std::vector<Row> rows = {
        {plan::ActionKind::StartService, {"systemctl", "enable", "--now", "demo-web.service"}},
        {plan::ActionKind::RestartService, {"systemctl", "restart", "demo-web.service"}},
        {plan::ActionKind::StopService, {"systemctl", "stop", "demo-web.service"}},
    };
    for (const auto& row : rows) {
        Fixture f;
        plan::Action action;
        action.kind = row.kind;
        REQUIRE(f.agent.perform(f.host, f.cluster, f.node(), action));
        REQUIRE(f.host.execs.size() == 2);
        CHECK(f.host.execs[1] == row.argv);
    }
}

TEST_CASE("a failing systemctl is a transient error with its last line of stderr",
          "[nodes][agent]") {
    Fixture f;
    f.host.answers.push_back(output(""));
    f.host.answers.push_back(output("", 1, "Job failed.\nSee journalctl -xe for details.\n"));
    plan::Action action;
    action.kind = plan::ActionKind::RestartService;
    auto r = f.agent.perform(f.host, f.cluster, f.node(), action);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Transient);
    CHECK(r.error().message ==
          "systemctl restart demo-web failed (exit 1): See journalctl -xe for details.");
}

TEST_CASE("container actions are not the agent's", "[nodes][agent]") {
    Fixture f;
    plan::Action action;
    action.kind = plan::ActionKind::CreateContainer;
    auto r = f.agent.perform(f.host, f.cluster, f.node(), action);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Permanent);
}

TEST_CASE("the health gate polls the kind's reading until it passes", "[nodes][agent][gate]") {
    KindFixture f;
    f.kinds.kind.criteria.minPeers = 1;
    f.kinds.kind.criteria.heightRising = true;
    f.kinds.kind.readings = {reading(false, 90, "readiness DOWN"), reading(true, 100),
                             reading(true, 100), reading(true, 101)};
    REQUIRE(f.perform(plan::ActionKind::AwaitHealthy));
    CHECK(f.kinds.kind.reads == 4);
    CHECK(f.time.sleeps == std::vector<std::chrono::milliseconds>(3, std::chrono::seconds(5)));
    // It waited for the container's systemd and ran nothing else.
    REQUIRE(f.host.execs.size() == 1);
    CHECK(f.host.execs[0][0] == "sh");
    CHECK(f.host.writes.empty());
}

TEST_CASE("a kind without probes passes the health gate at once", "[nodes][agent][gate]") {
    KindFixture f;
    f.kinds.kind.criteria.heightRising = true;
    REQUIRE(f.perform(plan::ActionKind::AwaitHealthy));
    CHECK(f.kinds.kind.reads == 1);
    CHECK(f.time.sleeps.empty());
}

TEST_CASE("the health gate gives up after its timeout with what is missing",
          "[nodes][agent][gate]") {
    struct Row {
        const char* name;
        GateCriteria criteria;
        std::vector<NodeReading> readings;
        std::string expected;
    };
    GateCriteria rising;
    rising.minPeers = 1;
    rising.heightRising = true;
    GateCriteria sealing = rising;
    sealing.ownSeal = true;
    const std::vector<Row> rows = {
        {"never ready",
         rising,
         {reading(false, std::nullopt, "readiness DOWN")},
         "health gate (ready, ≥1 peers, height rising) not passed within 60s: "
         "not ready: readiness DOWN"},
        {"head stands still",
         rising,
         {reading(true, 7)},
         "health gate (ready, ≥1 peers, height rising) not passed within 60s: "
         "height not rising (7 when it became ready)"},
        {"no seal of its own",
         sealing,
         {reading(true, 7), reading(true, 8)},
         "health gate (ready, ≥1 peers, height rising, own seal) not passed within 60s: "
         "no block sealed by this validator since it became ready at height 7"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        KindFixture f(std::chrono::seconds(10));
        f.cluster.policy.healthGate.timeout = std::chrono::seconds(60);
        f.kinds.kind.criteria = row.criteria;
        f.kinds.kind.readings = {row.readings.begin(), row.readings.end()};
        const auto start = f.time.now;
        auto r = f.perform(plan::ActionKind::AwaitHealthy);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == hosts::ErrorKind::Unhealthy);
        CHECK(r.error().message == row.expected);
        // Readings at 0 s, 10 s, … 60 s; no sleep takes it past the timeout.
        CHECK(f.kinds.kind.reads == 7);
        CHECK(f.time.sleeps.size() == 6);
        CHECK(f.time.now - start == std::chrono::seconds(60));
    }
}

TEST_CASE("install uploads the plan's archives, then runs its commands in order",
          "[nodes][agent][install]") {
    KindFixture f;
    TempFile archive(kArchive);
    f.kinds.kind.plan.uploads = {
        {archive.path(), "/var/cache/chainvisor-node/x-1.2.0.tar.gz", kArchiveSha256}};
    f.kinds.kind.plan.commands = {{"sh", "-c", "unpack \"$1\"", "install", "x"},
                                  {"ln", "-sfn", "1.2.0", "/opt/x/current"}};
    REQUIRE(f.perform(plan::ActionKind::InstallSoftware));
    REQUIRE(f.host.writes.size() == 2);
    CHECK(f.host.writes[0].path == "/var/cache/chainvisor-node/x-1.2.0.tar.gz");
    CHECK(f.host.writes[0].content == kArchive);
    CHECK(f.host.writes[0].mode == 0644);
    CHECK(f.host.writes[1].path == "/var/lib/chainvisor-node/version");
    CHECK(f.host.writes[1].content == "1.2.0\n");
    // An install does not wait for systemd: the commands are all it runs.
    CHECK(f.host.execs == f.kinds.kind.plan.commands);
    CHECK(f.host.vmids == std::vector<int>{201, 201});
}

TEST_CASE("an upload that cannot be read or does not match is permanent, nothing is written",
          "[nodes][agent][install]") {
    TempFile archive(kArchive);
    struct Row {
        const char* name;
        std::filesystem::path from;
        std::string sha256;
        std::string says;
    };
    const std::vector<Row> rows = {
        {"wrong sha256", archive.path(), std::string(64, '0'),
         std::string("SHA-256 is ") + kArchiveSha256 + ", source.sha256 says " +
             std::string(64, '0')},
        {"missing file", archive.path().string() + ".missing", "",
         "put the release archive there or set source.url"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        KindFixture f;
        f.kinds.kind.plan.uploads = {{row.from, "/var/cache/chainvisor-node/x.tar.gz", row.sha256}};
        f.kinds.kind.plan.commands = {{"true"}};
        auto r = f.perform(plan::ActionKind::InstallSoftware);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == hosts::ErrorKind::Permanent);
        CHECK_THAT(r.error().message, Catch::StartsWith("software archive " + row.from.string()));
        CHECK_THAT(r.error().message, Catch::Contains(row.says));
        CHECK(f.host.writes.empty());
        CHECK(f.host.execs.empty());
    }
}

TEST_CASE("a failing install command stops the install before the version is recorded",
          "[nodes][agent][install]") {
    KindFixture f;
    f.kinds.kind.plan.commands = {{"sh", "-c", "exit 3"}, {"true"}};
    f.host.answers.push_back(output("", 3, "archive: SHA-256 differs from source.sha256\n"));
    auto r = f.perform(plan::ActionKind::InstallSoftware);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Transient);
    CHECK(r.error().message ==
          std::string("installing 1.2.0") +
              " (step 1 of 2) failed (exit 3): archive: SHA-256 differs from source.sha256");
    CHECK(f.host.execs.size() == 1);
    CHECK(f.host.writes.empty());
}

TEST_CASE("write-config passes on the kind's error and writes nothing", "[nodes][agent]") {
    KindFixture f;
    f.kinds.kind.files =
        Error::transient("node val2: no key at /var/lib/chainvisord/keys/val2.key");
    auto r = f.perform(plan::ActionKind::WriteConfig);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Transient);
    CHECK(r.error().message == "node val2: no key at /var/lib/chainvisord/keys/val2.key");
    CHECK(f.host.writes.empty());
    // Only the wait for systemd ran: no daemon-reload, no fingerprint.
    REQUIRE(f.host.execs.size() == 1);
    CHECK(f.host.execs[0][0] == "sh");
}

}  // namespace chainvisor::nodes
