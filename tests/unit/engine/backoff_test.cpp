#include "engine/backoff.h"

#include <catch2/catch.hpp>

using namespace chainvisor::engine;
using std::chrono::milliseconds;

TEST_CASE("backoff starts at initial and doubles up to the cap", "[backoff]") {
    BackoffPolicy policy;
    policy.initial = milliseconds(1000);
    policy.max = milliseconds(8000);
    policy.jitter = 0.2;
    FixedRandom middle(0.5);  // factor 1.0
    CHECK(backoffDelay(policy, 1, middle) == milliseconds(1000));
    CHECK(backoffDelay(policy, 2, middle) == milliseconds(2000));
    CHECK(backoffDelay(policy, 3, middle) == milliseconds(4000));
    CHECK(backoffDelay(policy, 4, middle) == milliseconds(8000));
    CHECK(backoffDelay(policy, 5, middle) == milliseconds(8000));
    CHECK(backoffDelay(policy, 1000, middle) == milliseconds(8000));  // no overflow
    CHECK(backoffDelay(policy, 0, middle) == milliseconds(1000));     // treated as the first
}

TEST_CASE("backoff jitter stays within its bounds", "[backoff]") {
    BackoffPolicy policy;
    policy.initial = milliseconds(1000);
    policy.max = milliseconds(8000);
    policy.jitter = 0.2;
    FixedRandom low(0.0);
    FixedRandom high(0.999999);
    CHECK(backoffDelay(policy, 1, low) == milliseconds(800));
    CHECK(backoffDelay(policy, 1, high) == milliseconds(1199));
    CHECK(backoffDelay(policy, 10, low) == milliseconds(6400));
    CHECK(backoffDelay(policy, 10, high) == milliseconds(9599));
    SystemRandom random;
    for (int attempt = 1; attempt <= 6; ++attempt) {
        const auto d = backoffDelay(policy, attempt, random);
        const auto base = std::min<std::int64_t>(1000LL << (attempt - 1), 8000);
        CHECK(d.count() >= base * 8 / 10);
        CHECK(d.count() < base * 12 / 10);
    }
}

TEST_CASE("backoff without jitter is exact", "[backoff]") {
    BackoffPolicy policy;
    policy.initial = milliseconds(250);
    policy.max = milliseconds(60000);
    policy.jitter = 0.0;
    FixedRandom any(0.9);
    CHECK(backoffDelay(policy, 3, any) == milliseconds(1000));
}
