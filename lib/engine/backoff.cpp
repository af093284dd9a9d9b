#include "engine/backoff.h"

#include <algorithm>

namespace chainvisor::engine {

std::chrono::milliseconds backoffDelay(const BackoffPolicy& policy, int attempt, Random& random) {
    const int doublings = std::clamp(attempt - 1, 0, 30);
    const double base = static_cast<double>(policy.initial.count()) *
                        static_cast<double>(std::int64_t{1} << doublings);
    const double capped = std::min(base, static_cast<double>(policy.max.count()));
    const double factor = 1.0 - policy.jitter + 2.0 * policy.jitter * random.unit();
    return std::chrono::milliseconds(static_cast<std::int64_t>(capped * factor));
}

}  // namespace chainvisor::engine
