// pvesim's command line, validated up front (bad arguments exit 2 with a precise message).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth.h"
#include "faults.h"

namespace pvesim {

struct Options {
    std::string listen_host;  // a loopback address
    std::uint16_t listen_port = 0;
    std::string cert_file;
    std::string key_file;
    std::vector<std::string> nodes;
    std::vector<Token> tokens;
    double task_seconds = 1.0;
    FaultSpec faults;
    std::string ready_file;
    int auth_fail_delay_ms = 3000;
    double lock_wait_seconds = 10.0;
    int idle_timeout_ms = 5000;
    bool gzip = true;
    std::uint64_t seed = 0;  // state randomness (MAC addresses); 0 = from the clock
    bool quiet = false;      // no access log on stderr
};

struct ParsedArgs {
    std::optional<Options> options;
    bool help = false;
    std::string error;  // set when options is empty and help is false
};

ParsedArgs parse_args(const std::vector<std::string>& args);
std::string usage();

}  // namespace pvesim
