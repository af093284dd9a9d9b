// Waiting for an effect in tests without sleeping for it: poll a condition until it holds or a
// limit passes. The interval is the polling period (0: just yield), never a guess at how long the
// effect takes.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace chainvisor::test {

inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (condition()) {
            return true;
        }
        if (interval.count() > 0) {
            std::this_thread::sleep_for(interval);
        } else {
            std::this_thread::yield();
        }
    }
    return condition();
}

}  // namespace chainvisor::test
