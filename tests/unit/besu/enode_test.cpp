// Enode URLs in Besu's form, enode://<128 hex>@<IPv4>:<port>[?discport=N] (besu-docs
// public-networks/concepts/node-keys.md), made and read back.
#include "nodes/besu/enode.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes::besu {
namespace {

constexpr std::string_view kG =
    "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

Enode generatorAt(std::string ip, int port) {
    auto key =
        NodeKey::fromText("0x0000000000000000000000000000000000000000000000000000000000000001");
    REQUIRE(key.key);
    return Enode{key.key->publicKey(), std::move(ip), port, std::nullopt};
}

std::string refusal(std::string_view text) {
    const auto parsed = parseEnode(text);
    CHECK_FALSE(parsed.enode);
    return parsed.error;
}

}  // namespace

TEST_CASE("an enode URL from a public key, an address and a port", "[besu][enode]") {
    auto enode = generatorAt("10.99.0.11", 30303);
    CHECK(enode.str() == "enode://" + std::string(kG) + "@10.99.0.11:30303");
    enode.discoveryPort = 30304;
    CHECK(enode.str() == "enode://" + std::string(kG) + "@10.99.0.11:30303?discport=30304");
    enode.discoveryPort = 30303;  // the same port: Besu's form leaves it out
    CHECK(enode.str() == "enode://" + std::string(kG) + "@10.99.0.11:30303");
}

TEST_CASE("enode URLs read back", "[besu][enode]") {
    const auto plain = parseEnode("enode://" + std::string(kG) + "@192.0.2.1:30303");
    REQUIRE(plain.enode);
    CHECK(*plain.enode == generatorAt("192.0.2.1", 30303));
    const auto withDiscovery =
        parseEnode("enode://" + std::string(kG) + "@192.0.2.1:30303?discport=30301");
    REQUIRE(withDiscovery.enode);
    CHECK(withDiscovery.enode->discoveryPort == 30301);
    CHECK(withDiscovery.enode->str() ==
          "enode://" + std::string(kG) + "@192.0.2.1:30303?discport=30301");
}

TEST_CASE("malformed enode URLs say what is wrong", "[besu][enode]") {
    const std::string form = "; accepted: enode://<128 hex digits>@<IPv4>:<port>[?discport=N]";
    const std::string id(kG);
    CHECK(refusal("enr://x") == "an enode URL starts with enode://" + form);
    CHECK(refusal("enode://" + id) == "no '@' between the node id and the address" + form);
    CHECK(refusal("enode://" + id.substr(2) + "@10.0.0.1:1") ==
          "the node id is 128 hex digits (the 64-byte public key)" + form);
    CHECK(refusal("enode://" + id + "@10.0.0.1") == "no ':PORT' after the address" + form);
    CHECK(refusal("enode://" + id + "@node1.example:30303") ==
          "'node1.example' is not an IPv4 address" + form);
    CHECK(refusal("enode://" + id + "@10.0.0.256:30303") ==
          "'10.0.0.256' is not an IPv4 address" + form);
    CHECK(refusal("enode://" + id + "@10.0.0.1:0") == "'0' is not a port (1 to 65535)" + form);
    CHECK(refusal("enode://" + id + "@10.0.0.1:65536") ==
          "'65536' is not a port (1 to 65535)" + form);
    CHECK(refusal("enode://" + id + "@10.0.0.1:30303?discport=") ==
          "after '?' only discport=N (a port, 1 to 65535) is accepted" + form);
    CHECK(refusal("enode://" + id + "@10.0.0.1:30303?foo=1") ==
          "after '?' only discport=N (a port, 1 to 65535) is accepted" + form);
}

}  // namespace chainvisor::nodes::besu
