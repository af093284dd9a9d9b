#include "spec/did_you_mean.h"

#include <catch2/catch.hpp>

using namespace chainvisor::spec::detail;

TEST_CASE("editDistance counts edits, ignoring case", "[spec][did-you-mean]") {
    CHECK(editDistance("", "") == 0);
    CHECK(editDistance("type", "type") == 0);
    CHECK(editDistance("Type", "tYPE") == 0);
    CHECK(editDistance("typ", "type") == 1);
    CHECK(editDistance("tpye", "type") == 1);  // a transposition is one edit
    CHECK(editDistance("kitten", "sitting") == 3);
    CHECK(editDistance("", "abc") == 3);
}

TEST_CASE("closestMatch suggests near keys and prefixes, not far ones", "[spec][did-you-mean]") {
    const std::vector<std::string> keys = {"name", "type", "pveNodes",
                                           "api",  "ssh",  "maxConcurrentOperations"};
    CHECK(closestMatch("typ", keys) == "type");
    CHECK(closestMatch("TYPE", keys) == "type");
    CHECK(closestMatch("nmae", keys) == "name");
    CHECK(closestMatch("pvenodes", keys) == "pveNodes");
    CHECK(closestMatch("pve_nodes", keys) == "pveNodes");
    CHECK(closestMatch("maxConcurrent", keys) == "maxConcurrentOperations");  // prefix
    CHECK_FALSE(closestMatch("color", keys));
    CHECK_FALSE(closestMatch("ab", {"ip"}));  // everything is close to something short

    const std::vector<std::string> resources = {"cores", "memoryMiB", "swapMiB", "diskGiB"};
    CHECK(closestMatch("memory", resources) == "memoryMiB");
    CHECK(closestMatch("disk", resources) == "diskGiB");
    CHECK(closestMatch("core", resources) == "cores");

    CHECK(closestMatch("devnt", {"devnet", "testnet"}) == "devnet");
    CHECK(closestMatch("x", {}) == std::nullopt);
}

TEST_CASE("suggestion says 'did you mean' or lists what is accepted", "[spec][did-you-mean]") {
    CHECK(suggestion("lcoal", {"local", "proxmox"}) == "did you mean 'local'?");
    CHECK(suggestion("docker", {"local", "proxmox"}) == "accepted: local, proxmox");
    CHECK(suggestion("x", {}, "none declared") == "none declared");
    std::vector<std::string> many;
    for (int i = 0; i < 20; ++i) {
        many.push_back("node-" + std::to_string(i * 1000));
    }
    const auto s = suggestion("zzzzzzzz", many);
    CHECK(s.find("node-0, node-1000") != std::string::npos);
    CHECK(s.find("(8 more)") != std::string::npos);
}
