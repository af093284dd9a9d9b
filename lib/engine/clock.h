// Time reaches the engine only through this interface, so tests run a whole reconcile, retries
// and backoff included, with a clock they advance by hand.
#pragma once

#include <chrono>

#include "plan/observed.h"

namespace chainvisor::engine {

using plan::TimePoint;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock for tests: stands still until advanced.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start = TimePoint{std::chrono::hours(24 * 365 * 56)})
        : now_(start) {}
    TimePoint now() const override { return now_; }
    void advance(std::chrono::milliseconds by) { now_ += by; }

private:
    TimePoint now_;
};

}  // namespace chainvisor::engine
