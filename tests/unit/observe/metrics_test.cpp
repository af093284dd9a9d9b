// Metrics through its scrape: series appear with the fleet and leave with it, the condition is
// one-hot, histograms count, and a scrape never sees half of a snapshot.
#include "observe/metrics.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "exposition.h"
#include "sample_fleet.h"

namespace {

using namespace std::chrono_literals;
using chainvisor::observe::ActionResult;
using chainvisor::observe::HostSample;
using chainvisor::observe::Metrics;
using chainvisor::observe::NetworkSample;
using chainvisor::observe::NodeSample;
using chainvisor::observe::test::kSampleNow;
using chainvisor::observe::test::parseExposition;
using chainvisor::observe::test::ScrapedSample;
using chainvisor::observe::test::select;
using chainvisor::observe::test::valueOf;

const std::vector<std::string> kConditions = {"Ready",  "Progressing", "Degraded",
                                              "Failed", "Unknown",     "Paused"};

NodeSample validator(std::string name, std::string host = "pve-a",
                     std::string condition = "Ready") {
    NodeSample n;
    n.name = std::move(name);
    n.network = "qbft";
    n.role = "validator";
    n.host = std::move(host);
    n.condition = std::move(condition);
    n.ready = n.condition == "Ready";
    n.since = kSampleNow - 5min;
    return n;
}

std::vector<ScrapedSample> scrape(const Metrics& m) {
    return parseExposition(m.scrape());
}

// Every sample that carries label node=`name`, whatever the family.
std::size_t seriesOfNode(const std::vector<ScrapedSample>& samples, const std::string& name) {
    std::size_t n = 0;
    for (const auto& s : samples) {
        const auto found = s.labels.find("node");
        n += found != s.labels.end() && found->second == name ? 1 : 0;
    }
    return n;
}

}  // namespace

TEST_CASE("a new Metrics has its build info, zeroed counters and no fleet series") {
    Metrics m("1.2.3", "abc1234");
    const auto s = scrape(m);
    CHECK(valueOf(s, "chainvisor_build_info", {{"version", "1.2.3"}, {"revision", "abc1234"}}) ==
          1);
    CHECK(valueOf(s, "chainvisor_reconcile_passes_total") == 0);
    CHECK(valueOf(s, "chainvisor_reconcile_pass_duration_seconds_count") == 0);
    CHECK(valueOf(s, "chainvisor_reconcile_last_success_timestamp_seconds") == 0);
    CHECK(valueOf(s, "chainvisor_action_retries_total") == 0);
    CHECK(valueOf(s, "chainvisor_actions_in_flight") == 0);
    CHECK(valueOf(s, "chainvisor_actions_waiting") == 0);
    CHECK(valueOf(s, "chainvisor_paused") == 0);
    CHECK(select(s, "chainvisor_node_condition").empty());
    CHECK(select(s, "chainvisor_network_quorum").empty());
    CHECK(select(s, "chainvisor_host_reachable").empty());
}

TEST_CASE("each node has all six conditions, exactly one of them 1") {
    Metrics m("1", "r");
    m.setNodes({validator("v1", "pve-a", "Ready"), validator("v2", "pve-a", "Failed"),
                validator("v3", "pve-b", "Paused")});
    const auto s = scrape(m);

    for (const auto& [node, current] : std::vector<std::pair<std::string, std::string>>{
             {"v1", "Ready"}, {"v2", "Failed"}, {"v3", "Paused"}}) {
        INFO(node);
        const auto all = select(s, "chainvisor_node_condition", {{"node", node}});
        REQUIRE(all.size() == kConditions.size());
        for (const auto& condition : kConditions) {
            INFO(condition);
            CHECK(valueOf(s, "chainvisor_node_condition",
                          {{"node", node}, {"condition", condition}}) ==
                  (condition == current ? 1 : 0));
        }
    }
    const auto v2 = select(s, "chainvisor_node_ready", {{"node", "v2"}});
    REQUIRE(v2.size() == 1);
    CHECK(v2.front().value == 0);
    CHECK(v2.front().labels ==
          chainvisor::observe::test::LabelSet{
              {"node", "v2"}, {"network", "qbft"}, {"role", "validator"}, {"host", "pve-a"}});
    CHECK(valueOf(s, "chainvisor_node_ready", {{"node", "v1"}}) == 1);
    CHECK(valueOf(s, "chainvisor_node_condition_since_timestamp_seconds", {{"node", "v1"}}) ==
          Approx(std::chrono::duration<double>((kSampleNow - 5min).time_since_epoch()).count()));

    SECTION("a condition changes: the one-hot moves with it") {
        m.setNodes({validator("v1", "pve-a", "Degraded"), validator("v2", "pve-a", "Failed"),
                    validator("v3", "pve-b", "Paused")});
        const auto after = scrape(m);
        CHECK(valueOf(after, "chainvisor_node_condition",
                      {{"node", "v1"}, {"condition", "Ready"}}) == 0);
        CHECK(valueOf(after, "chainvisor_node_condition",
                      {{"node", "v1"}, {"condition", "Degraded"}}) == 1);
    }
    SECTION("a condition the engine does not name is reported as Unknown") {
        m.setNodes({validator("v1", "pve-a", "Exploded")});
        const auto after = scrape(m);
        CHECK(valueOf(after, "chainvisor_node_condition",
                      {{"node", "v1"}, {"condition", "Unknown"}}) == 1);
        CHECK(select(after, "chainvisor_node_condition", {{"node", "v1"}}).size() == 6);
    }
}

TEST_CASE("a node that leaves the spec takes every one of its series with it") {
    Metrics m("1", "r");
    auto v1 = validator("v1");
    v1.blockHeight = 10;
    v1.peers = 3;
    v1.region = "eu-central";
    auto v2 = validator("v2");
    v2.blockHeight = 12;
    m.setNodes({v1, v2});
    // 6 conditions, ready, since, height, peers, info.
    CHECK(seriesOfNode(scrape(m), "v1") == 11);

    m.setNodes({v2});
    const auto s = scrape(m);
    CHECK(seriesOfNode(s, "v1") == 0);
    CHECK(seriesOfNode(s, "v2") == 10);  // no peers: never known

    m.setNodes({});
    CHECK(seriesOfNode(scrape(m), "v2") == 0);
}

TEST_CASE("a node that moves to another host keeps one set of series, under the new host") {
    Metrics m("1", "r");
    m.setNodes({validator("v1", "pve-a")});
    m.setNodes({validator("v1", "pve-b")});
    const auto s = scrape(m);
    CHECK(seriesOfNode(s, "v1") == 9);
    CHECK(select(s, "chainvisor_node_ready", {{"host", "pve-a"}}).empty());
    CHECK(valueOf(s, "chainvisor_node_ready", {{"node", "v1"}, {"host", "pve-b"}}) == 1);
}

TEST_CASE("height and peers are exposed only while known") {
    Metrics m("1", "r");
    auto v1 = validator("v1");
    v1.blockHeight = 100;
    v1.peers = 0;  // known, and zero: an alert wants to see this one
    m.setNodes({v1});
    auto s = scrape(m);
    CHECK(valueOf(s, "chainvisor_node_block_height", {{"node", "v1"}}) == 100);
    CHECK(valueOf(s, "chainvisor_node_peers", {{"node", "v1"}}) == 0);

    v1.blockHeight.reset();
    v1.peers.reset();
    m.setNodes({v1});
    s = scrape(m);
    CHECK(select(s, "chainvisor_node_block_height").empty());
    CHECK(select(s, "chainvisor_node_peers").empty());
}

TEST_CASE("the region reaches only chainvisor_node_info, and only when the node has one") {
    Metrics m("1", "r");
    auto east = validator("east");
    east.region = "us-east";
    m.setNodes({east, validator("plain")});
    const auto s = scrape(m);
    CHECK(valueOf(s, "chainvisor_node_info", {{"node", "east"}, {"region", "us-east"}}) == 1);
    const auto plain = select(s, "chainvisor_node_info", {{"node", "plain"}});
    REQUIRE(plain.size() == 1);
    CHECK(plain.front().labels.count("region") == 0);
    for (const auto& sample : s) {
        if (sample.name != "chainvisor_node_info") {
            CHECK(sample.labels.count("region") == 0);
        }
    }
}

TEST_CASE("networks: quorum is ceil(2n/3), height the highest of their nodes, gone with them") {
    Metrics m("1", "r");
    auto v1 = validator("v1");
    v1.blockHeight = 50;
    auto v2 = validator("v2");
    v2.blockHeight = 57;
    auto v3 = validator("v3");  // not probed: does not count
    auto other = validator("o1");
    other.network = "other";
    other.blockHeight = 9000;
    m.setNodes({v1, v2, v3, other});
    m.setNetworks({{"qbft", 4, 3, false}, {"other", 1, 0, true}, {"empty", 0, 0, false}});

    auto s = scrape(m);
    CHECK(valueOf(s, "chainvisor_network_validators", {{"network", "qbft"}}) == 4);
    CHECK(valueOf(s, "chainvisor_network_validators_online", {{"network", "qbft"}}) == 3);
    CHECK(valueOf(s, "chainvisor_network_quorum", {{"network", "qbft"}}) == 3);
    CHECK(valueOf(s, "chainvisor_network_quorum", {{"network", "other"}}) == 1);
    CHECK(valueOf(s, "chainvisor_network_quorum", {{"network", "empty"}}) == 0);
    CHECK(valueOf(s, "chainvisor_network_block_height", {{"network", "qbft"}}) == 57);
    CHECK(valueOf(s, "chainvisor_network_block_height", {{"network", "other"}}) == 9000);
    CHECK(select(s, "chainvisor_network_block_height", {{"network", "empty"}}).empty());
    CHECK(valueOf(s, "chainvisor_network_rollout_halted", {{"network", "other"}}) == 1);
    CHECK(valueOf(s, "chainvisor_network_rollout_halted", {{"network", "qbft"}}) == 0);

    SECTION("quorum for the sizes QBFT cares about") {
        const std::vector<std::pair<std::uint32_t, double>> cases = {
            {1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 4}, {6, 4}, {7, 5}, {10, 7}, {100, 67}};
        for (const auto& [n, quorum] : cases) {
            INFO(n);
            m.setNetworks({{"q", n, 0, false}});
            CHECK(valueOf(scrape(m), "chainvisor_network_quorum", {{"network", "q"}}) == quorum);
        }
    }
    SECTION("the height follows the nodes' next snapshot") {
        v2.blockHeight = 60;
        m.setNodes({v1, v2, v3, other});
        CHECK(valueOf(scrape(m), "chainvisor_network_block_height", {{"network", "qbft"}}) == 60);
        m.setNodes({v3, other});
        CHECK(select(scrape(m), "chainvisor_network_block_height", {{"network", "qbft"}}).empty());
    }
    SECTION("a network that leaves the spec takes every one of its series with it") {
        m.setNetworks({{"other", 1, 0, true}});
        s = scrape(m);
        for (const auto& sample : s) {
            const auto found = sample.labels.find("network");
            if (sample.name.rfind("chainvisor_network_", 0) == 0) {
                CHECK(found->second == "other");
            }
        }
        CHECK(select(s, "chainvisor_network_block_height").size() == 1);
    }
}

TEST_CASE("hosts: state, API latency and errors, all gone with the host") {
    Metrics m("1", "r");
    m.setHosts({{"pve-a", true, false}, {"pve-b", false, true}});
    m.recordHostApiRequest("pve-a", 20ms);
    m.recordHostApiRequest("pve-a", 2s);
    m.recordHostApiError("pve-b", "timeout");
    m.recordHostApiError("pve-b", "timeout");
    m.recordHostApiError("pve-b", "auth");

    auto s = scrape(m);
    CHECK(valueOf(s, "chainvisor_host_reachable", {{"host", "pve-a"}}) == 1);
    CHECK(valueOf(s, "chainvisor_host_reachable", {{"host", "pve-b"}}) == 0);
    CHECK(valueOf(s, "chainvisor_host_circuit_open", {{"host", "pve-b"}}) == 1);
    CHECK(valueOf(s, "chainvisor_host_api_request_duration_seconds_count", {{"host", "pve-a"}}) ==
          2);
    CHECK(valueOf(s, "chainvisor_host_api_request_duration_seconds_sum", {{"host", "pve-a"}}) ==
          Approx(2.02));
    CHECK(valueOf(s, "chainvisor_host_api_request_duration_seconds_bucket",
                  {{"host", "pve-a"}, {"le", "0.025"}}) == 1);
    // Present, at zero, before the first call: rate() is defined from the start.
    CHECK(valueOf(s, "chainvisor_host_api_request_duration_seconds_count", {{"host", "pve-b"}}) ==
          0);
    CHECK(valueOf(s, "chainvisor_host_api_errors_total",
                  {{"host", "pve-b"}, {"kind", "timeout"}}) == 2);
    CHECK(valueOf(s, "chainvisor_host_api_errors_total", {{"host", "pve-b"}, {"kind", "auth"}}) ==
          1);

    m.setHosts({{"pve-a", true, false}});
    s = scrape(m);
    for (const auto& sample : s) {
        const auto found = sample.labels.find("host");
        if (sample.name.rfind("chainvisor_host_", 0) == 0) {
            CHECK(found->second == "pve-a");
        }
    }
    CHECK(select(s, "chainvisor_host_api_errors_total").empty());
}

TEST_CASE("reconcile passes: count, duration histogram, last success") {
    Metrics m("1", "r");
    m.recordReconcilePass(3ms, true, kSampleNow - 1min);
    m.recordReconcilePass(700ms, true, kSampleNow);
    m.recordReconcilePass(45s, false, kSampleNow + 1min);

    const auto s = scrape(m);
    CHECK(valueOf(s, "chainvisor_reconcile_passes_total") == 3);
    CHECK(valueOf(s, "chainvisor_reconcile_pass_duration_seconds_count") == 3);
    CHECK(valueOf(s, "chainvisor_reconcile_pass_duration_seconds_sum") == Approx(45.703));
    const auto bucket = [&](const std::string& le) {
        return valueOf(s, "chainvisor_reconcile_pass_duration_seconds_bucket", {{"le", le}});
    };
    CHECK(bucket("0.001") == 0);
    CHECK(bucket("0.005") == 1);
    CHECK(bucket("1") == 2);
    CHECK(bucket("30") == 2);
    CHECK(bucket("60") == 3);
    CHECK(bucket("+Inf") == 3);
    // The failed pass does not move it.
    CHECK(valueOf(s, "chainvisor_reconcile_last_success_timestamp_seconds") ==
          Approx(std::chrono::duration<double>(kSampleNow.time_since_epoch()).count()));
}

TEST_CASE("actions: a kind's first result makes all three, counts follow") {
    Metrics m("1", "r");
    m.recordAction("start_container", ActionResult::FailedTransient);
    m.recordAction("start_container", ActionResult::FailedTransient);
    m.recordAction("start_container", ActionResult::Succeeded);
    m.recordActionRetry();
    m.recordActionRetry();
    m.setActionsInFlight(5);
    m.setActionsWaiting(2);
    m.setPaused(true);

    const auto s = scrape(m);
    CHECK(select(s, "chainvisor_actions_total", {{"kind", "start_container"}}).size() == 3);
    CHECK(valueOf(s, "chainvisor_actions_total",
                  {{"kind", "start_container"}, {"result", "succeeded"}}) == 1);
    CHECK(valueOf(s, "chainvisor_actions_total",
                  {{"kind", "start_container"}, {"result", "failed_transient"}}) == 2);
    CHECK(valueOf(s, "chainvisor_actions_total",
                  {{"kind", "start_container"}, {"result", "failed_permanent"}}) == 0);
    CHECK(valueOf(s, "chainvisor_action_retries_total") == 2);
    CHECK(valueOf(s, "chainvisor_actions_in_flight") == 5);
    CHECK(valueOf(s, "chainvisor_actions_waiting") == 2);
    CHECK(valueOf(s, "chainvisor_paused") == 1);
}

TEST_CASE("the exposition is what Prometheus expects: types, help, one line per series") {
    Metrics m("1", "r");
    chainvisor::observe::test::populateSampleFleet(m);
    const std::string text = m.scrape();
    CHECK_THAT(text, Catch::Matchers::Contains("# TYPE chainvisor_reconcile_passes_total counter"));
    CHECK_THAT(text, Catch::Matchers::Contains(
                         "# TYPE chainvisor_reconcile_pass_duration_seconds histogram"));
    CHECK_THAT(text, Catch::Matchers::Contains("# TYPE chainvisor_node_condition gauge"));
    CHECK_THAT(text, Catch::Matchers::Contains("# HELP chainvisor_network_quorum "));
    // No timestamps: Prometheus stamps samples at scrape time.
    for (const auto& sample : parseExposition(text)) {
        CHECK(sample.name.rfind("chainvisor_", 0) == 0);
        CHECK_FALSE(sample.timestamped);
    }
}

TEST_CASE("concurrent reports and scrapes are safe and see whole snapshots") {
    Metrics m("1", "r");
    std::atomic<bool> done{false};
    std::thread reporter([&] {
        for (int i = 0; i < 300; ++i) {
            const std::string condition = i % 2 == 0 ? "Ready" : "Degraded";
            m.setNodes({validator("v1", "pve-a", condition), validator("v2", "pve-a", condition)});
            m.recordHostApiRequest("pve-a", 1ms);
        }
        done = true;
    });
    std::size_t scrapes = 0;
    while (!done || scrapes == 0) {
        const auto s = scrape(m);
        ++scrapes;
        for (const std::string node : {"v1", "v2"}) {
            double ones = 0;
            for (const auto& c : select(s, "chainvisor_node_condition", {{"node", node}})) {
                ones += c.value;
            }
            const auto all = select(s, "chainvisor_node_condition", {{"node", node}});
            REQUIRE((all.empty() || ones == 1));
        }
    }
    reporter.join();
    CHECK(valueOf(scrape(m), "chainvisor_host_api_request_duration_seconds_count",
                  {{"host", "pve-a"}}) == 300);
}
