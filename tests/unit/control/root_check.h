// Tests that switch users or give files away need root. Without it they skip with a message;
// under CHAINVISOR_REQUIRE_ALL=1 (CI) they fail instead, so nothing is skipped unnoticed.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace chainvisor::control::test {

inline bool haveRoot(const std::string& why) {
    if (::geteuid() == 0) {
        return true;
    }
    const char* requireAll = std::getenv("CHAINVISOR_REQUIRE_ALL");
    if (requireAll && std::string(requireAll) == "1") {
        FAIL("this test needs root (" << why << ") and CHAINVISOR_REQUIRE_ALL=1");
    }
    WARN("skipped: needs root (" << why << ")");
    return false;
}

}  // namespace chainvisor::control::test
