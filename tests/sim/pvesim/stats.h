// Request counters for benchmarks and tests (GET /_sim/stats): per "METHOD /route/{template}",
// per status code, and the total of API requests.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>

namespace pvesim {

class Stats {
public:
    void count(const std::string& route, int status);
    boost::json::object to_json() const;
    void reset();
    std::uint64_t total() const { return total_; }

private:
    std::uint64_t total_ = 0;
    std::map<std::string, std::uint64_t> routes_;
    std::map<int, std::uint64_t> statuses_;
};

}  // namespace pvesim
