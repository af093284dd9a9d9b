// EIP-55 checksums against the EIP's own examples (eips.ethereum.org/EIPS/eip-55: all caps, all
// lower, normal), and address parsing.
#include "nodes/besu/address.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes::besu {

TEST_CASE("EIP-55: the EIP's examples checksum to themselves", "[besu][address]") {
    const char* examples[] = {
        // all caps
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        // all lower
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        // normal
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    };
    for (const std::string example : examples) {
        INFO(example);
        std::string lower = example;
        for (auto& c : lower) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        const auto parsed = parseAddress(lower);
        REQUIRE(parsed.address);
        CHECK(parsed.address->checksummed() == example);
        CHECK(parsed.address->lowerHex() == lower);
        CHECK(parseAddress(example).address == parsed.address);
    }
}

TEST_CASE("addresses parse with or without 0x and in one case", "[besu][address]") {
    const auto a = parseAddress("7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    const auto b = parseAddress("0X7E5F4552091A69125D5DFCB7B8C2659029395BDF");
    REQUIRE(a.address);
    REQUIRE(b.address);
    CHECK(*a.address == *b.address);
    CHECK(a.address->checksummed() == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
}

TEST_CASE("bad addresses are refused with what is wrong", "[besu][address]") {
    CHECK(parseAddress("0x1234").error ==
          "an address is 40 hex digits (20 bytes), optionally after 0x; got 4 characters");
    CHECK(parseAddress("0xzz5f4552091a69125d5dfcb7b8c2659029395bdf").error ==
          "an address is 40 hex digits (0-9, a-f); '0xzz5f4552091a69125d5dfcb7b8c2659029395bdf' "
          "has other characters");
    // One letter's case flipped from the correct 0x5aAeb605…
    CHECK(parseAddress("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").error ==
          "'0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' has mixed case but a wrong EIP-55 "
          "checksum (mistyped?); expected 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
}

TEST_CASE("addresses order as unsigned big-endian numbers, as Besu sorts them", "[besu][address]") {
    const auto low = *parseAddress("0x7f00000000000000000000000000000000000000").address;
    const auto high = *parseAddress("0x8000000000000000000000000000000000000000").address;
    const auto last = *parseAddress("0xff00000000000000000000000000000000000000").address;
    // Signed bytes would put 0x80… and 0xff… before 0x7f….
    CHECK(low < high);
    CHECK(high < last);
}

}  // namespace chainvisor::nodes::besu
