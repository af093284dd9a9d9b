#include "hosts/proxmox/timing.h"

#include <string>
#include <thread>

namespace chainvisor::hosts::proxmox {

Timing::TimePoint SystemTiming::now() const {
    return std::chrono::steady_clock::now();
}

void SystemTiming::sleep(std::chrono::milliseconds duration) {
    if (duration.count() > 0) {
        std::this_thread::sleep_for(duration);
    }
}

std::string secondsText(std::chrono::milliseconds duration) {
    long long s = (duration.count() + 999) / 1000;
    if (s < 0) {
        s = 0;
    }
    if (s < 60) {
        return std::to_string(s) + "s";
    }
    const long long m = s / 60;
    s %= 60;
    return std::to_string(m) + "m" + (s == 0 ? std::string() : std::to_string(s) + "s");
}

}  // namespace chainvisor::hosts::proxmox
