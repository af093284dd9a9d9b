// Node keys: derivation against known key pairs, Besu's key file text, and refusals that never
// repeat the key.
//
// Vectors: private key 1 is the generator G, whose coordinates are secp256k1's published domain
// parameters (SEC 2, section 2.4.1), with the widely quoted address 0x7E5F…5Bdf. Keys 2, 3 and
// n−1 (−G: G's x, p − Gy) were checked with a separate implementation (textbook affine
// arithmetic in Python, keccak from pycryptodome). The three 0x8f2a…, 0xc875…, 0xae6a… keys are
// the dev accounts of Besu's own docs (besu-docs tutorials/qbft.md, genesis `alloc`: address and
// privateKey side by side).
#include "nodes/besu/node_key.h"

#include <catch2/catch.hpp>

#include "nodes/hex.h"

namespace chainvisor::nodes::besu {
namespace {

NodeKey keyOf(std::string_view text) {
    auto parsed = NodeKey::fromText(text);
    INFO(parsed.error);
    REQUIRE(parsed.key);
    return std::move(*parsed.key);
}

std::string refusal(std::string_view text) {
    const auto parsed = NodeKey::fromText(text);
    CHECK_FALSE(parsed.key);
    return parsed.error;
}

constexpr std::string_view kOne =
    "0x0000000000000000000000000000000000000000000000000000000000000001";

}  // namespace

TEST_CASE("private key 1: the generator point and its address", "[besu][key]") {
    const auto key = keyOf(kOne);
    CHECK(key.publicKey().hex() ==
          "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
          "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
    CHECK(key.address().checksummed() == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    CHECK(key.address().lowerHex() == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    CHECK(key.publicKey().address() == key.address());
}

TEST_CASE("known key pairs", "[besu][key]") {
    struct Row {
        const char* secret;
        const char* publicKey;
        const char* address;
    };
    const Row rows[] = {
        {"0000000000000000000000000000000000000000000000000000000000000002",
         "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
         "1ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a",
         "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"},
        {"0000000000000000000000000000000000000000000000000000000000000003",
         "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
         "388f7b0f632de8140fe337e62a37f3566500a99934c2231b6cb9fd7584b8e672",
         "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"},
        {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
         "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
         "b7c52588d95c3b9aa25b0403f1eef75702e84bb7597aabe663b82f6f04ef2777",
         "0x80C0dbf239224071c59dD8970ab9d542E3414aB2"},
        {"8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63",
         "09b02f8a5fddd222ade4ea4528faefc399623af3f736be3c44f03e2df22fb792"
         "f3931a4d9573d333ca74343305762a753388c3422a86d98b713fc91c1ea04842",
         "0xFE3B557E8Fb62b89F4916B721be55cEb828dBd73"},
        {"c87509a1c067bbde78beb793e6fa76530b6382a4c0241e5e4a9ec0a0f44dc0d3",
         "af80b90d25145da28c583359beb47b21796b2fe1a23c1511e443e7a64dfdb27d"
         "7434c380f0aa4c500e220aa1a9d068514b1ff4d5019e624e7ba1efe82b340a59",
         "0x627306090abaB3A6e1400e9345bC60c78a8BEf57"},
        {"ae6ae8e5ccbfb04590405997ee2d52d2b330726137b875053c36d94e974d162f",
         "ce7edc292d7b747fab2f23584bbafaffde5c8ff17cf689969614441e0527b900"
         "15ea9fee96aed6d9c0fc2fbe0bd1883dee223b3200246ff1e21976bdbc9a0fc8",
         "0xf17f52151EbEF6C7334FAD080c5704D77216b732"},
    };
    for (const auto& row : rows) {
        INFO(row.address);
        const auto key = keyOf(row.secret);
        CHECK(key.publicKey().hex() == row.publicKey);
        CHECK(key.address().checksummed() == row.address);
    }
}

TEST_CASE("Besu's key file text: 0x and 64 lower-case digits, read back the same", "[besu][key]") {
    const auto key = keyOf("8F2A55949038A9610F50FB23B5883AF3B4ECB3C3BB792CBCEFBD1542C692BE63\n");
    const auto text = key.keyFileText();
    CHECK(text == "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63");
    CHECK(keyOf(text).publicKey() == key.publicKey());
}

TEST_CASE("key files as Besu reads them: 0x optional, one line ending allowed", "[besu][key]") {
    const std::string digits(kOne.substr(2));
    for (const std::string& text : {std::string(kOne), digits, std::string(kOne) + "\n",
                                    std::string(kOne) + "\r\n", digits + "\r", "0X" + digits}) {
        INFO(text.size());
        CHECK(keyOf(text).address().lowerHex() == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    }
}

TEST_CASE("invalid keys are refused precisely, without repeating the key", "[besu][key]") {
    const std::string format = "a Besu node key is 0x followed by 64 hex digits";
    CHECK(refusal("") == "the key file is empty; " + format);
    CHECK(refusal("\n") == "the key file is empty; " + format);
    CHECK(refusal(std::string(kOne) + "\n\n") ==
          "the key file holds more than one line; " + format + " on one line");
    CHECK(refusal(std::string(kOne) + "\n" + std::string(kOne)) ==
          "the key file holds more than one line; " + format + " on one line");
    CHECK(refusal("0x01") == "expected 64 hex digits, found 2 characters; " + format);
    CHECK(refusal(std::string(kOne) + "0") ==
          "expected 64 hex digits, found 65 characters; " + format);
    CHECK(refusal(" " + std::string(kOne.substr(2, 63))) ==
          "character 1 of the key is not a hex digit; " + format);
    CHECK(refusal("0x00000000000000000000000000000000000000000000000000000000000000g1") ==
          "character 65 of the key is not a hex digit; " + format);
    CHECK(refusal("0x" + std::string(64, '0')) ==
          "the key is zero, which is not a valid secp256k1 private key");
    // n itself, and the largest 32-byte value.
    CHECK(refusal("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141") ==
          "the key is not below the secp256k1 group order n, so it is not a valid private key");
    CHECK(refusal("0x" + std::string(64, 'f')) ==
          "the key is not below the secp256k1 group order n, so it is not a valid private key");
}

TEST_CASE("a refused key's digits appear in no error", "[besu][key]") {
    const std::string secret = "c87509a1c067bbde78beb793e6fa76530b6382a4c0241e5e4a9ec0a0f44dc0";
    for (const std::string& text : {secret, secret + "zz", "0x" + secret + "d3\n\nx"}) {
        const auto error = refusal(text);
        CHECK(error.find("c87509") == std::string::npos);
        CHECK(error.find("f44dc0") == std::string::npos);
    }
}

TEST_CASE("keys from bytes: exactly 32", "[besu][key]") {
    const Bytes one(31, 0);
    CHECK(NodeKey::fromBytes(one).error == "a secp256k1 private key is 32 bytes, got 31");
    Bytes two(32, 0);
    two[31] = 2;
    const auto parsed = NodeKey::fromBytes(two);
    REQUIRE(parsed.key);
    CHECK(parsed.key->address().checksummed() == "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
}

TEST_CASE("a moved-from key keeps its public half and gives up its secret", "[besu][key]") {
    auto first = keyOf(kOne);
    const auto address = first.address();
    NodeKey second = std::move(first);
    CHECK(second.address() == address);
    CHECK(second.keyFileText() == kOne);
    // The source's secret is wiped to zeros (a value no valid key has).
    CHECK(first.keyFileText() == "0x" + std::string(64, '0'));  // NOLINT(bugprone-use-after-move)
}

}  // namespace chainvisor::nodes::besu
