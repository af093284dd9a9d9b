// Fault injection. The grammar (also printed by `pvesim --help`):
//
//   SPEC  := "" | ITEM { "," ITEM }
//   ITEM  := latency=MS       every response is sent MS milliseconds late
//          | error5xx=P       a request fails, not acted on, with a transient 5xx: a change
//                             (POST/PUT/DELETE) gets 500 "got no worker upid - start worker
//                             failed", a read gets 596 "Connection timed out"
//          | reset=P          the connection is closed without an answer; nothing was done
//          | lostreply=P      the request is acted on, then the connection is closed without an
//                             answer (the client cannot know it succeeded)
//          | taskfail=P       a task ends with an error ("command 'lxc-start …' failed: exit
//                             code 1", log ending "TASK ERROR: …") and changes nothing
//          | locktimeout=P    a call that takes the config lock fails with 500 "can't lock file
//                             '/run/lock/lxc/pve-config-N.lock' - got timeout" at once
//          | offline=NODE[+NODE…]  the node is unreachable: /nodes shows it offline, calls to
//                             it get 595 "Connection refused", its CTs' status is "unknown"
//          | seed=N           seed for the fault dice (same seed, same sequence of faults)
//
// P is a probability in [0, 1]; items may repeat (offline accumulates, others take the last).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>

namespace pvesim {

extern const char* const kFaultGrammar;

struct FaultSpec {
    int latency_ms = 0;
    double error5xx = 0;
    double reset = 0;
    double lostreply = 0;
    double taskfail = 0;
    double locktimeout = 0;
    std::set<std::string> offline;
    std::optional<std::uint64_t> seed;
};

// Parses SPEC; nothing and `error` set ("error5xx=1.5: probability must be between 0 and 1").
std::optional<FaultSpec> parse_fault_spec(std::string_view spec, std::string& error);
std::string to_string(const FaultSpec& spec);

// The live fault settings and their dice.
class Faults {
public:
    explicit Faults(FaultSpec spec = {});
    const FaultSpec& spec() const { return spec_; }
    void set(FaultSpec spec);                                 // reseeds when the spec has a seed
    void set_offline(const std::string& node, bool offline);  // keeps the dice as they are
    // True with probability p.
    bool roll(double p);
    std::uint64_t next(std::uint64_t bound);

private:
    FaultSpec spec_;
    std::mt19937_64 rng_;
};

}  // namespace pvesim
