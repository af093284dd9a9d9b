// Reading one sample out of a Prometheus text exposition (what bitcell-node serves on
// GET /metrics): `name{labels} value [timestamp]` lines between `# HELP` / `# TYPE` comments.
// Labels and timestamps are skipped, not interpreted. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chainvisor::nodes::bitcell {

// The value of the first sample named exactly `name` (whatever its labels); nullopt when there is
// none or its value is not a number. NaN and ±Inf are numbers here.
std::optional<double> sampleValue(std::string_view text, std::string_view name);

// sampleValue as a count (a height, peers): nullopt unless finite, ≥ 0 and whole.
std::optional<std::uint64_t> sampleCount(std::string_view text, std::string_view name);

}  // namespace chainvisor::nodes::bitcell
