// Prints the scrape of the sample fleet: the fixture the promtool lint and the dashboard test
// read, made by the real Metrics so it cannot drift from what chainvisord serves.
#include <iostream>

#include "observe/metrics.h"
#include "sample_fleet.h"

int main() {
    chainvisor::observe::Metrics metrics("0.1.0", "sample");
    chainvisor::observe::test::populateSampleFleet(metrics);
    std::cout << metrics.scrape();
    return std::cout.good() ? 0 : 1;
}
