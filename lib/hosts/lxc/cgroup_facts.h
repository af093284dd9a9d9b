// What this machine's kernel offers containers: which cgroup version holds the controllers,
// whether memory+swap can be limited, which CPUs exist. Detected once; injectable for tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::hosts::lxc {

struct CgroupFacts {
    bool unified = false;    // cgroup v2 only; false: v1 controllers (possibly v1/v2 hybrid)
    bool swapLimit = false;  // memory.memsw.limit_in_bytes (v1) / memory.swap.max (v2) exists
    std::vector<int> cpus;   // online CPUs, ascending
};

CgroupFacts detectCgroupFacts();

// "0-3,8" → {0,1,2,3,8}; empty on malformed input.
std::vector<int> parseCpuList(std::string_view text);
// {0,1,2,3,8} → "0-3,8".
std::string formatCpuList(const std::vector<int>& cpus);

}  // namespace chainvisor::hosts::lxc
