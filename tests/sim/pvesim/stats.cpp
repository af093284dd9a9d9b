#include "stats.h"

namespace pvesim {

void Stats::count(const std::string& route, int status) {
    ++total_;
    ++routes_[route];
    ++statuses_[status];
}

boost::json::object Stats::to_json() const {
    boost::json::object routes;
    for (const auto& [r, n] : routes_) {
        routes[r] = n;
    }
    boost::json::object statuses;
    for (const auto& [s, n] : statuses_) {
        statuses[std::to_string(s)] = n;
    }
    return boost::json::object{{"total", total_}, {"routes", routes}, {"status", statuses}};
}

void Stats::reset() {
    total_ = 0;
    routes_.clear();
    statuses_.clear();
}

}  // namespace pvesim
