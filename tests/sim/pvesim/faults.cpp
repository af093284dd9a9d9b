#include "faults.h"

#include <charconv>
#include <cstdlib>

namespace pvesim {

const char* const kFaultGrammar =
    "  SPEC := \"\" | ITEM { \",\" ITEM }\n"
    "  ITEM := latency=MS        every response is sent MS milliseconds late\n"
    "        | error5xx=P        the request fails (not acted on) with a transient 5xx: changes\n"
    "                            get 500 \"got no worker upid - start worker failed\", reads 596\n"
    "                            \"Connection timed out\"\n"
    "        | reset=P           the connection is closed without an answer; nothing was done\n"
    "        | lostreply=P       the request is acted on, then the connection is closed\n"
    "                            without an answer\n"
    "        | taskfail=P        a task ends with an error (\"command 'lxc-start …' failed:\n"
    "                            exit code 1\", log \"TASK ERROR: …\") and changes nothing\n"
    "        | locktimeout=P     a call that takes the config lock fails at once with 500\n"
    "                            \"can't lock file '/run/lock/lxc/pve-config-N.lock' - got "
    "timeout\"\n"
    "        | offline=NODE[+NODE…]  the node is unreachable: /nodes shows it offline, calls\n"
    "                            to it get 595 \"Connection refused\", its CTs are \"unknown\"\n"
    "        | seed=N            seed for the fault dice (reproducible runs)\n"
    "  P is a probability in [0, 1]. Example: --faults 'latency=20,taskfail=0.1,seed=7'\n";

namespace {

bool parse_probability(const std::string& v, double& out) {
    char* end = nullptr;
    out = std::strtod(v.c_str(), &end);
    return !v.empty() && end == v.c_str() + v.size() && out >= 0 && out <= 1;
}

}  // namespace

std::optional<FaultSpec> parse_fault_spec(std::string_view spec, std::string& error) {
    FaultSpec out;
    std::size_t start = 0;
    while (start < spec.size()) {
        std::size_t comma = spec.find(',', start);
        std::string item(spec.substr(
            start, comma == std::string_view::npos ? spec.size() - start : comma - start));
        start = comma == std::string_view::npos ? spec.size() : comma + 1;
        if (item.empty()) {
            continue;
        }
        auto eq = item.find('=');
        if (eq == std::string::npos) {
            error = "'" + item + "': expected NAME=VALUE";
            return std::nullopt;
        }
        std::string name = item.substr(0, eq);
        std::string value = item.substr(eq + 1);
        double* prob = nullptr;
        if (name == "error5xx") {
            prob = &out.error5xx;
        } else if (name == "reset") {
            prob = &out.reset;
        } else if (name == "lostreply") {
            prob = &out.lostreply;
        } else if (name == "taskfail") {
            prob = &out.taskfail;
        } else if (name == "locktimeout") {
            prob = &out.locktimeout;
        }
        if (prob != nullptr) {
            if (!parse_probability(value, *prob)) {
                error = "'" + item + "': probability must be a number between 0 and 1";
                return std::nullopt;
            }
        } else if (name == "latency") {
            int ms = -1;
            auto r = std::from_chars(value.data(), value.data() + value.size(), ms);
            if (r.ec != std::errc() || r.ptr != value.data() + value.size() || ms < 0) {
                error = "'" + item + "': latency must be a whole number of milliseconds";
                return std::nullopt;
            }
            out.latency_ms = ms;
        } else if (name == "offline") {
            std::size_t s = 0;
            while (s <= value.size()) {
                std::size_t plus = value.find('+', s);
                std::string node = value.substr(s, plus == std::string::npos ? plus : plus - s);
                if (node.empty()) {
                    error = "'" + item + "': empty node name";
                    return std::nullopt;
                }
                out.offline.insert(node);
                s = plus == std::string::npos ? value.size() + 1 : plus + 1;
            }
        } else if (name == "seed") {
            std::uint64_t seed = 0;
            auto r = std::from_chars(value.data(), value.data() + value.size(), seed);
            if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
                error = "'" + item + "': seed must be a non-negative integer";
                return std::nullopt;
            }
            out.seed = seed;
        } else {
            error = "'" + item + "': unknown fault '" + name +
                    "' (latency, error5xx, reset, lostreply, taskfail, locktimeout, offline, "
                    "seed)";
            return std::nullopt;
        }
    }
    return out;
}

std::string to_string(const FaultSpec& s) {
    std::string out;
    auto add = [&](const std::string& item) { out += (out.empty() ? "" : ",") + item; };
    auto num = [](double d) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, d);
        return std::string(buf, r.ptr);
    };
    if (s.latency_ms != 0) {
        add("latency=" + std::to_string(s.latency_ms));
    }
    if (s.error5xx != 0) {
        add("error5xx=" + num(s.error5xx));
    }
    if (s.reset != 0) {
        add("reset=" + num(s.reset));
    }
    if (s.lostreply != 0) {
        add("lostreply=" + num(s.lostreply));
    }
    if (s.taskfail != 0) {
        add("taskfail=" + num(s.taskfail));
    }
    if (s.locktimeout != 0) {
        add("locktimeout=" + num(s.locktimeout));
    }
    for (const auto& n : s.offline) {
        add("offline=" + n);
    }
    if (s.seed) {
        add("seed=" + std::to_string(*s.seed));
    }
    return out;
}

Faults::Faults(FaultSpec spec) : rng_(std::random_device{}()) {
    set(std::move(spec));
}

void Faults::set(FaultSpec spec) {
    spec_ = std::move(spec);
    if (spec_.seed) {
        rng_.seed(*spec_.seed);
    }
}

void Faults::set_offline(const std::string& node, bool offline) {
    if (offline) {
        spec_.offline.insert(node);
    } else {
        spec_.offline.erase(node);
    }
}

bool Faults::roll(double p) {
    if (p <= 0) {
        return false;
    }
    if (p >= 1) {
        return true;
    }
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

std::uint64_t Faults::next(std::uint64_t bound) {
    return std::uniform_int_distribution<std::uint64_t>(0, bound - 1)(rng_);
}

}  // namespace pvesim
