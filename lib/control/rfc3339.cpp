#include "control/rfc3339.h"

#include <time.h>

#include <cstdio>

namespace chainvisor::control {

std::string formatRfc3339(std::chrono::system_clock::time_point time, Precision precision) {
    using namespace std::chrono;
    // Floor, not truncate toward zero, so times before 1970 still print correctly.
    const auto whole = floor<seconds>(time);
    const auto millis = duration_cast<milliseconds>(time - whole).count();
    const time_t t = system_clock::to_time_t(whole);
    struct tm parts {};
    gmtime_r(&t, &parts);
    char buffer[40];
    const int n =
        precision == Precision::Milliseconds
            ? std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                            parts.tm_min, parts.tm_sec, static_cast<int>(millis))
            : std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                            parts.tm_min, parts.tm_sec);
    return std::string(buffer, static_cast<std::size_t>(n > 0 ? n : 0));
}

}  // namespace chainvisor::control
