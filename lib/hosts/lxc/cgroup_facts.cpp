#include "hosts/lxc/cgroup_facts.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace chainvisor::hosts::lxc {
namespace {

namespace fs = std::filesystem;

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

bool parseInt(std::string_view text, int& out) {
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && out >= 0;
}

}  // namespace

std::vector<int> parseCpuList(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    std::vector<int> cpus;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto part = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const auto dash = part.find('-');
        int first = 0;
        int last = 0;
        if (dash == std::string_view::npos) {
            if (!parseInt(part, first)) {
                return {};
            }
            last = first;
        } else if (!parseInt(part.substr(0, dash), first) ||
                   !parseInt(part.substr(dash + 1), last) || last < first || last - first > 65536) {
            return {};
        }
        for (int cpu = first; cpu <= last; ++cpu) {
            cpus.push_back(cpu);
        }
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

std::string formatCpuList(const std::vector<int>& cpus) {
    std::string text;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) {
            ++j;
        }
        if (!text.empty()) {
            text += ',';
        }
        text += std::to_string(cpus[i]);
        if (j > i) {
            text += '-' + std::to_string(cpus[j]);
        }
        i = j + 1;
    }
    return text;
}

CgroupFacts detectCgroupFacts() {
    CgroupFacts facts;
    facts.unified = present("/sys/fs/cgroup/cgroup.controllers");
    if (facts.unified) {
        // The root cgroup has no memory.swap.max; any child with the memory controller does.
        for (const char* p : {"/sys/fs/cgroup/init.scope/memory.swap.max",
                              "/sys/fs/cgroup/system.slice/memory.swap.max",
                              "/sys/fs/cgroup/user.slice/memory.swap.max"}) {
            facts.swapLimit = facts.swapLimit || present(p);
        }
    } else {
        facts.swapLimit = present("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
    }
    std::ifstream online("/sys/devices/system/cpu/online");
    std::string line;
    if (std::getline(online, line)) {
        facts.cpus = parseCpuList(line);
    }
    if (facts.cpus.empty()) {
        const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
        for (int cpu = 0; cpu < std::max(1L, n); ++cpu) {
            facts.cpus.push_back(cpu);
        }
    }
    return facts;
}

}  // namespace chainvisor::hosts::lxc
