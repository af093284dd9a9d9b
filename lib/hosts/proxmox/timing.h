// Time for the Proxmox provider: a monotonic clock and a way to wait, behind one small interface
// so unit tests drive task polling, confirmation polls and the circuit breaker's backoff with a
// manual clock, without sleeping.
#pragma once

#include <chrono>
#include <string>

namespace chainvisor::hosts::proxmox {

class Timing {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    virtual ~Timing() = default;
    virtual TimePoint now() const = 0;
    virtual void sleep(std::chrono::milliseconds duration) = 0;
};

class SystemTiming final : public Timing {
public:
    TimePoint now() const override;
    void sleep(std::chrono::milliseconds duration) override;
};

// "2s", "1m30s": a rounded-up duration for messages.
std::string secondsText(std::chrono::milliseconds duration);

}  // namespace chainvisor::hosts::proxmox
