// RLP against the examples of the Ethereum wiki's RLP page (also in the Yellow Paper's appendix
// B): "dog", ["cat","dog"], "", [], 0, 15, 1024, the set-theoretical three, the 56-byte Lorem
// ipsum. Lengths past 55 bytes and non-canonical input are derived from the rules themselves.
#include "nodes/besu/rlp.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes::besu {
namespace {

std::string hexOf(const RlpItem& item) {
    return toHex(rlpEncode(item));
}

Bytes bytesOf(std::string_view hex) {
    auto bytes = fromHex(hex);
    REQUIRE(bytes);
    return *bytes;
}

std::string decodeError(std::string_view hex) {
    const auto decoded = rlpDecode(bytesOf(hex));
    CHECK_FALSE(decoded.item);
    return decoded.error;
}

RlpItem L(std::vector<RlpItem> items) {
    return RlpItem::list(std::move(items));
}

constexpr std::string_view kLorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";

}  // namespace

TEST_CASE("RLP: the wiki's examples", "[besu][rlp]") {
    CHECK(hexOf(RlpItem::text("dog")) == "83646f67");
    CHECK(hexOf(L({RlpItem::text("cat"), RlpItem::text("dog")})) == "c88363617483646f67");
    CHECK(hexOf(RlpItem::text("")) == "80");
    CHECK(hexOf(RlpItem()) == "80");
    CHECK(hexOf(L({})) == "c0");
    CHECK(hexOf(RlpItem::scalar(0)) == "80");
    CHECK(hexOf(RlpItem::bytes(Bytes{0x00})) == "00");
    CHECK(hexOf(RlpItem::bytes(Bytes{0x0f})) == "0f");
    CHECK(hexOf(RlpItem::scalar(15)) == "0f");
    CHECK(hexOf(RlpItem::scalar(1024)) == "820400");
    // [ [], [[]], [ [], [[]] ] ]
    const auto three = L({L({}), L({L({})}), L({L({}), L({L({})})})});
    CHECK(hexOf(three) == "c7c0c1c0c3c0c1c0");
    REQUIRE(kLorem.size() == 56);
    CHECK(hexOf(RlpItem::text(kLorem)) == "b838" + toHex(Bytes(kLorem.begin(), kLorem.end())));
}

TEST_CASE("RLP: the boundaries of the short and long forms", "[besu][rlp]") {
    CHECK(hexOf(RlpItem::bytes(Bytes{0x7f})) == "7f");
    CHECK(hexOf(RlpItem::bytes(Bytes{0x80})) == "8180");
    CHECK(hexOf(RlpItem::bytes(Bytes{0xff})) == "81ff");
    CHECK(hexOf(RlpItem::bytes(Bytes(55, 0xaa))).starts_with("b7aaaa"));
    CHECK(hexOf(RlpItem::bytes(Bytes(56, 0xaa))).starts_with("b838aaaa"));
    CHECK(hexOf(RlpItem::bytes(Bytes(1024, 0))).starts_with("b904000000"));
    CHECK(rlpEncode(RlpItem::bytes(Bytes(1024, 0))).size() == 3 + 1024);
    // A list whose payload is 58 bytes (the 56-byte string and its 2-byte header).
    CHECK(hexOf(L({RlpItem::text(kLorem)})).starts_with("f83ab838"));
    std::vector<RlpItem> many(55, RlpItem::bytes(Bytes{0x01}));
    CHECK(hexOf(L(many)).starts_with("f7"));
    many.push_back(RlpItem::bytes(Bytes{0x01}));
    CHECK(hexOf(L(many)).starts_with("f838"));
}

TEST_CASE("RLP scalars are big-endian without leading zeros", "[besu][rlp]") {
    CHECK(hexOf(RlpItem::scalar(127)) == "7f");
    CHECK(hexOf(RlpItem::scalar(128)) == "8180");
    CHECK(hexOf(RlpItem::scalar(256)) == "820100");
    CHECK(hexOf(RlpItem::scalar(0xffffffffffffffffULL)) == "88ffffffffffffffff");
    CHECK(RlpItem::scalar(1024).toScalar() == 1024u);
    CHECK(RlpItem::scalar(0).toScalar() == 0u);
    CHECK(RlpItem::bytes(Bytes{0x00, 0x01}).toScalar() == std::nullopt);  // a leading zero
    CHECK(RlpItem::bytes(Bytes(9, 1)).toScalar() == std::nullopt);        // wider than 64 bits
    CHECK(L({}).toScalar() == std::nullopt);
}

TEST_CASE("RLP decodes what it encodes", "[besu][rlp]") {
    const std::vector<RlpItem> values = {
        RlpItem(),
        RlpItem::text("dog"),
        RlpItem::bytes(Bytes{0x00}),
        RlpItem::bytes(Bytes{0x80}),
        RlpItem::text(kLorem),
        RlpItem::bytes(Bytes(70000, 0x5a)),
        L({}),
        L({L({}), L({L({})}), L({L({}), L({L({})})})}),
        L({RlpItem::text("cat"), L({RlpItem::scalar(1024), RlpItem::text(kLorem)}), RlpItem()}),
    };
    for (const auto& value : values) {
        const auto encoded = rlpEncode(value);
        INFO(toHex(encoded).substr(0, 40));
        const auto decoded = rlpDecode(encoded);
        REQUIRE(decoded.item);
        CHECK(*decoded.item == value);
    }
}

TEST_CASE("RLP decoding refuses truncated, trailing and non-canonical input", "[besu][rlp]") {
    CHECK(decodeError("") == "byte 0: expected a value, found the end of the input");
    CHECK(decodeError("83646f") == "byte 0: a string of 3 bytes runs past the end of the input");
    CHECK(decodeError("8080") == "byte 1: 1 bytes follow the value");
    CHECK(decodeError("8100") ==
          "byte 0: a single byte below 0x80 has a length prefix (not canonical)");
    CHECK(decodeError("b80100") ==
          "byte 0: a length of 1 is written in the long form (not canonical)");
    CHECK(decodeError("b90038" + std::string(112, 'a')) ==
          "byte 0: the length has a leading zero byte (not canonical)");
    CHECK(decodeError("b9") == "byte 0: the length of the length runs past the end of the input");
    CHECK(decodeError("c3c0") == "byte 0: a list of 3 bytes runs past the end of the input");
    // The list says 1 byte; its item says 3.
    CHECK(decodeError("c18363") == "byte 1: a string of 3 bytes runs past the end of its list");
    CHECK(decodeError("f80100") ==
          "byte 0: a length of 1 is written in the long form (not canonical)");
    CHECK(decodeError("bf" + std::string(16, 'f')) ==
          "byte 0: a string of 18446744073709551615 bytes runs past the end of the input");
}

TEST_CASE("RLP decoding limits how deep lists nest", "[besu][rlp]") {
    // `depth` lists around an empty one: the innermost list is at depth `depth` (the outermost
    // at 0).
    const auto nested = [](int depth) {
        auto item = L({});
        for (int i = 0; i < depth; ++i) {
            item = L({item});
        }
        return rlpEncode(item);
    };
    CHECK(rlpDecode(nested(kMaxRlpDepth - 1)).item);
    const auto tooDeep = rlpDecode(nested(kMaxRlpDepth));
    CHECK_FALSE(tooDeep.item);
    CHECK_THAT(tooDeep.error, Catch::EndsWith(": lists nest deeper than 64"));
}

}  // namespace chainvisor::nodes::besu
