// Randomness (jitter) reaches the engine only through this interface, so tests are repeatable.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace chainvisor::engine {

class Random {
public:
    virtual ~Random() = default;
    // A uniformly distributed value in [0, 1).
    virtual double unit() = 0;
};

class SystemRandom final : public Random {
public:
    SystemRandom() : engine_(std::random_device{}()) {}
    double unit() override {
        std::lock_guard lock(mutex_);
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
    }

private:
    std::mutex mutex_;
    std::mt19937_64 engine_;
};

// Always the same value: tests choose where in the jitter range they land.
class FixedRandom final : public Random {
public:
    explicit FixedRandom(double value) : value_(value) {}
    double unit() override { return value_; }

private:
    double value_;
};

}  // namespace chainvisor::engine
