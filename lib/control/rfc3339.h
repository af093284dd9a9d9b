// RFC 3339 timestamps in UTC ("2024-05-01T12:00:03.250Z"), for the audit log and for event
// listings: unambiguous across time zones and sortable as text.
#pragma once

#include <chrono>
#include <string>

namespace chainvisor::control {

enum class Precision { Seconds, Milliseconds };

std::string formatRfc3339(std::chrono::system_clock::time_point time,
                          Precision precision = Precision::Seconds);

}  // namespace chainvisor::control
