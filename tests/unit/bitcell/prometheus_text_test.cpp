// One sample out of Prometheus text: comments, labels, timestamps and look-alike names.
#include "nodes/bitcell/prometheus_text.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "bitcell_fixtures.h"

namespace chainvisor::nodes::bitcell {

TEST_CASE("bitcell-node's own metrics text gives height and peers", "[bitcell][metrics]") {
    const std::string text = test::metricsBody(1234, 3);
    CHECK(sampleCount(text, "bitcell_chain_height") == 1234u);
    CHECK(sampleCount(text, "bitcell_peer_count") == 3u);
    CHECK(sampleCount(text, "bitcell_dht_peer_count") == 3u);
    CHECK(sampleCount(text, "bitcell_sync_progress") == 100u);
}

TEST_CASE("HELP and TYPE lines, labels and timestamps are skipped", "[bitcell][metrics]") {
    const std::string text =
        "# HELP bitcell_peer_count 7 is not a sample\n"
        "# TYPE bitcell_peer_count gauge\n"
        "bitcell_peer_count_total 99\n"  // a longer name, not ours
        "bitcell_peer_count{region=\"us-east\",note=\"a } and \\\" inside\"} 5 1700000000000\n"
        "bitcell_chain_height\t42.0\r\n"
        "  bitcell_pending_txs 1e3\n";
    CHECK(sampleCount(text, "bitcell_peer_count") == 5u);
    CHECK(sampleCount(text, "bitcell_peer_count_total") == 99u);
    CHECK(sampleCount(text, "bitcell_chain_height") == 42u);
    CHECK(sampleCount(text, "bitcell_pending_txs") == 1000u);
}

TEST_CASE("a missing or unusable metric is nullopt", "[bitcell][metrics]") {
    const std::string text =
        "# HELP bitcell_chain_height Current blockchain height\n"
        "# TYPE bitcell_chain_height gauge\n"
        "bitcell_banned_miners NaN\n"
        "bitcell_active_miners +Inf\n"
        "bitcell_bytes_sent_total -1\n"
        "bitcell_average_trust_score 0.875\n"
        "bitcell_slashing_events_total many\n"
        "bitcell_messages_sent_total{unclosed=\"x\" 4\n";
    CHECK_FALSE(sampleValue(text, "bitcell_chain_height"));  // HELP and TYPE only
    CHECK_FALSE(sampleCount(text, "bitcell_peer_count"));
    CHECK(std::isnan(*sampleValue(text, "bitcell_banned_miners")));
    CHECK(std::isinf(*sampleValue(text, "bitcell_active_miners")));
    CHECK_FALSE(sampleCount(text, "bitcell_banned_miners"));
    CHECK_FALSE(sampleCount(text, "bitcell_active_miners"));
    CHECK_FALSE(sampleCount(text, "bitcell_bytes_sent_total"));
    CHECK(sampleValue(text, "bitcell_average_trust_score") == 0.875);
    CHECK_FALSE(sampleCount(text, "bitcell_average_trust_score"));
    CHECK_FALSE(sampleValue(text, "bitcell_slashing_events_total"));
    CHECK_FALSE(sampleValue(text, "bitcell_messages_sent_total"));
    CHECK_FALSE(sampleValue("", "bitcell_chain_height"));
}

}  // namespace chainvisor::nodes::bitcell
