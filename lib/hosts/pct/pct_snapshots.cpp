#include "hosts/pct/pct_snapshots.h"

namespace chainvisor::hosts::pct {

std::vector<std::string> parsePctSnapshots(std::string_view text) {
    constexpr std::string_view kArrow = "`-> ";
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        const auto arrow = line.find(kArrow);
        if (arrow == std::string_view::npos) {
            continue;
        }
        const auto rest = line.substr(arrow + kArrow.size());
        const auto name = rest.substr(0, rest.find_first_of(" \t\r"));
        if (!name.empty() && name != "current") {
            names.emplace_back(name);
        }
    }
    return names;
}

}  // namespace chainvisor::hosts::pct
