// A small fleet that puts a sample in every chainvisor family: two chains (QBFT validators with
// a sentry and an RPC node; BitCell nodes in two regions), a plain service, a reachable and an
// unreachable Proxmox host, actions of every result and host API calls and errors. The promtool
// lint, the dashboard check and the Metrics tests all read its scrape.
#pragma once

#include <chrono>

#include "observe/metrics.h"

namespace chainvisor::observe::test {

// A fixed instant, so the fixture's timestamps do not depend on when the test runs.
inline const std::chrono::system_clock::time_point kSampleNow{std::chrono::seconds(1767225600)};

void populateSampleFleet(Metrics& metrics);

}  // namespace chainvisor::observe::test
