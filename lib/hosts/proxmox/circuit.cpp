#include "hosts/proxmox/circuit.h"

#include <algorithm>

namespace chainvisor::hosts::proxmox {

Circuit::Circuit(CircuitOptions options, Timing& timing) : options_(options), timing_(timing) {}

Circuit::Ticket Circuit::admit() {
    std::lock_guard guard(mutex_);
    if (!open_) {
        return {};
    }
    const auto now = timing_.now();
    if (!probing_ && now >= nextTry_) {
        probing_ = true;
        return {Admission::Probe, {}};
    }
    const auto down = std::chrono::duration_cast<std::chrono::milliseconds>(now - since_);
    const auto wait =
        std::max(std::chrono::milliseconds(0),
                 std::chrono::duration_cast<std::chrono::milliseconds>(nextTry_ - now));
    std::string text = "API unreachable since " + secondsText(down) + " ago (" + lastError_ + "); ";
    text += probing_ ? "a probe is under way" : "next try in " + secondsText(wait);
    return {Admission::FailFast, std::move(text)};
}

void Circuit::succeeded() {
    std::lock_guard guard(mutex_);
    open_ = false;
    probing_ = false;
    backoff_ = std::chrono::milliseconds(0);
    lastError_.clear();
}

void Circuit::failed(const std::string& reason) {
    std::lock_guard guard(mutex_);
    const auto now = timing_.now();
    lastError_ = reason;
    if (!open_) {
        open_ = true;
        probing_ = false;
        since_ = now;
        backoff_ = options_.initialBackoff;
        nextTry_ = now + backoff_;
        return;
    }
    if (probing_) {  // the probe failed: wait twice as long
        probing_ = false;
        backoff_ = std::min(backoff_ * 2, options_.maxBackoff);
        nextTry_ = now + backoff_;
    }
    // Otherwise a request sent before the circuit opened has failed too: nothing changes.
}

bool Circuit::open() const {
    std::lock_guard guard(mutex_);
    return open_;
}

}  // namespace chainvisor::hosts::proxmox
