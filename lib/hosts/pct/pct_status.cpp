#include "hosts/pct/pct_status.h"

namespace chainvisor::hosts::pct {

plan::PowerState powerOf(std::string_view status) {
    if (status == "running") {
        return plan::PowerState::Running;
    }
    if (status == "stopped") {
        return plan::PowerState::Stopped;
    }
    return plan::PowerState::Unknown;
}

std::string_view parsePctStatus(std::string_view output) {
    constexpr std::string_view kKey = "status:";
    std::size_t start = 0;
    while (start < output.size()) {
        auto end = output.find('\n', start);
        if (end == std::string_view::npos) {
            end = output.size();
        }
        std::string_view line = output.substr(start, end - start);
        start = end + 1;
        if (line.substr(0, kKey.size()) != kKey) {
            continue;
        }
        line.remove_prefix(kKey.size());
        const auto b = line.find_first_not_of(" \t");
        if (b == std::string_view::npos) {
            return {};
        }
        line.remove_prefix(b);
        return line.substr(0, line.find_first_of(" \t\r"));
    }
    return {};
}

}  // namespace chainvisor::hosts::pct
