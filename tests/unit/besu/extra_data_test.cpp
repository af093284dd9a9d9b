// Genesis extraData against values Besu itself published:
//  * hyperledger/besu, besu/src/test/java/org/hyperledger/besu/cli/subcommands/rlp/
//    RLPSubCommandTest.java: `besu rlp encode` of ["be068f72…", "5ff6f4b6…"] with the default
//    type (IBFT_EXTRA_DATA) and with --type=QBFT_EXTRA_DATA;
//  * hyperledger/besu-docs, docs/private-networks/how-to/configure/consensus/ibft.md: the example
//    IBFT 2.0 genesis, one validator (c2ab482b…);
//  * hyperledger/besu-docs, docs/private-networks/how-to/configure/consensus/qbft.md: the
//    example QBFT genesis with four validators (block header validator selection), and the one
//    with none (contract validator selection).
// Besu encodes validators in the order given (none of these lists is sorted), so these tests give
// them in that order; genesis.h sorts first.
#include "nodes/besu/extra_data.h"

#include <catch2/catch.hpp>

#include "nodes/besu/rlp.h"

namespace chainvisor::nodes::besu {
namespace {

Address addressOf(std::string_view text) {
    const auto parsed = parseAddress(text);
    INFO(parsed.error);
    REQUIRE(parsed.address);
    return *parsed.address;
}

std::vector<Address> addresses(std::initializer_list<std::string_view> texts) {
    std::vector<Address> out;
    for (const auto text : texts) {
        out.push_back(addressOf(text));
    }
    return out;
}

const std::string kVanity = "a0" + std::string(64, '0');

BftExtraData decoded(Consensus consensus, std::string_view hex) {
    const auto bytes = fromHex(withoutHexPrefix(hex));
    REQUIRE(bytes);
    auto result = decodeExtraData(consensus, *bytes);
    INFO(result.error);
    REQUIRE(result.data);
    return std::move(*result.data);
}

std::string decodeError(Consensus consensus, const RlpItem& item) {
    const auto result = decodeExtraData(consensus, rlpEncode(item));
    CHECK_FALSE(result.data);
    return result.error;
}

}  // namespace

TEST_CASE("extraData as `besu rlp encode` makes it (Besu's RLPSubCommandTest)",
          "[besu][extradata]") {
    const auto validators = addresses(
        {"be068f726a13c8d46c44be6ce9d275600e1735a4", "5ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193"});
    CHECK(genesisExtraDataHex(Consensus::Ibft2, validators) ==
          "0xf853a00000000000000000000000000000000000000000000000000000000000000000ea94be068f726a1"
          "3c8d46c44be6ce9d275600e1735a4945ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193808400000000c0");
    CHECK(genesisExtraDataHex(Consensus::Qbft, validators) ==
          "0xf84fa00000000000000000000000000000000000000000000000000000000000000000ea94be068f726a1"
          "3c8d46c44be6ce9d275600e1735a4945ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193c080c0");
}

TEST_CASE("extraData of Besu's documented IBFT 2.0 genesis (one validator)", "[besu][extradata]") {
    const auto validators = addresses({"0xc2ab482b506de561668e07f04547232a72897daf"});
    CHECK(genesisExtraDataHex(Consensus::Ibft2, validators) ==
          "0xf83ea00000000000000000000000000000000000000000000000000000000000000000d594c2ab482b506"
          "de561668e07f04547232a72897daf808400000000c0");
}

TEST_CASE("extraData of Besu's documented QBFT genesis (four validators, and none)",
          "[besu][extradata]") {
    const std::string published =
        "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b"
        "7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5"
        "b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0";
    const auto validators = addresses(
        {"64a702e6263b7297a96638cac6ae65e6541f4169", "3923390ad55e90c237593b3b0e401f3b08a03185",
         "aefdb9a738c9f433e5b6b212a6d62f6370c2f692", "c7eeb9a4e00ce683cf93039b212648e01c6c6b78"});
    CHECK(genesisExtraDataHex(Consensus::Qbft, validators) == published);
    // Read back: the same validators, in the same order, nothing else.
    const auto data = decoded(Consensus::Qbft, published);
    CHECK(data.vanity == Bytes(32, 0));
    CHECK(data.validators == validators);
    CHECK_FALSE(data.vote);
    CHECK(data.round == 0);
    CHECK(data.seals == 0);
    // No validators (a contract chooses them).
    CHECK(genesisExtraDataHex(Consensus::Qbft, {}) ==
          "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0");
}

TEST_CASE("extraData's tails: QBFT c080c0, IBFT 2.0 808400000000c0", "[besu][extradata]") {
    const auto validators = addresses({"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"});
    CHECK(genesisExtraDataHex(Consensus::Qbft, validators).ends_with("c080c0"));
    CHECK(genesisExtraDataHex(Consensus::Ibft2, validators).ends_with("808400000000c0"));
    CHECK(genesisExtraDataHex(Consensus::Qbft, validators).starts_with("0xf83a" + kVanity));
}

TEST_CASE("extraData with many validators uses RLP's long list form", "[besu][extradata]") {
    std::vector<Address> validators(30);
    for (std::size_t i = 0; i < validators.size(); ++i) {
        validators[i].bytes[19] = static_cast<std::uint8_t>(i + 1);
    }
    const auto bytes = encodeGenesisExtraData(Consensus::Ibft2, validators);
    // 30 × 21 = 630 bytes of validators: f9 02 76.
    CHECK(toHex(bytes).find("f90276") != std::string::npos);
    const auto data = decodeExtraData(Consensus::Ibft2, bytes);
    REQUIRE(data.data);
    CHECK(data.data->validators == validators);
}

TEST_CASE("validators sort ascending as unsigned bytes, duplicates dropped", "[besu][extradata]") {
    const auto sorted = sortedValidators(addresses(
        {"64a702e6263b7297a96638cac6ae65e6541f4169", "c7eeb9a4e00ce683cf93039b212648e01c6c6b78",
         "3923390ad55e90c237593b3b0e401f3b08a03185", "aefdb9a738c9f433e5b6b212a6d62f6370c2f692",
         "3923390ad55e90c237593b3b0e401f3b08a03185"}));
    CHECK(sorted == addresses({"3923390ad55e90c237593b3b0e401f3b08a03185",
                               "64a702e6263b7297a96638cac6ae65e6541f4169",
                               "aefdb9a738c9f433e5b6b212a6d62f6370c2f692",
                               "c7eeb9a4e00ce683cf93039b212648e01c6c6b78"}));
}

TEST_CASE("extraData of later blocks reads back: votes, rounds, seals", "[besu][extradata]") {
    const auto recipient = addressOf("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    const auto vanity = RlpItem::bytes(Bytes(32, 0));
    const auto validators = RlpItem::list({RlpItem::bytes(recipient.bytes)});
    const auto seals = RlpItem::list({RlpItem::bytes(Bytes(65, 1)), RlpItem::bytes(Bytes(65, 2))});

    // QBFT: add is 0xff, drop is the empty string; the round a scalar.
    auto qbft = [&](RlpItem vote, RlpItem round) {
        return rlpEncode(
            RlpItem::list({vanity, validators, std::move(vote), std::move(round), seals}));
    };
    auto data = decodeExtraData(
        Consensus::Qbft,
        qbft(RlpItem::list({RlpItem::bytes(recipient.bytes), RlpItem::bytes(Bytes{0xff})}),
             RlpItem::scalar(3)));
    REQUIRE(data.data);
    CHECK(data.data->vote == BftExtraData::Vote{recipient, true});
    CHECK(data.data->round == 3);
    CHECK(data.data->seals == 2);
    data = decodeExtraData(
        Consensus::Qbft,
        qbft(RlpItem::list({RlpItem::bytes(recipient.bytes), RlpItem()}), RlpItem::scalar(0)));
    REQUIRE(data.data);
    CHECK(data.data->vote == BftExtraData::Vote{recipient, false});

    // IBFT 2.0: add 0xff, drop 0x00; the round always 4 bytes.
    const auto ibft = rlpEncode(RlpItem::list(
        {vanity, validators,
         RlpItem::list({RlpItem::bytes(recipient.bytes), RlpItem::bytes(Bytes{0x00})}),
         RlpItem::bytes(Bytes{0, 0, 1, 2}), seals}));
    data = decodeExtraData(Consensus::Ibft2, ibft);
    REQUIRE(data.data);
    CHECK(data.data->vote == BftExtraData::Vote{recipient, false});
    CHECK(data.data->round == 258);
}

TEST_CASE("extraData that does not fit the protocol is refused", "[besu][extradata]") {
    const auto vanity = RlpItem::bytes(Bytes(32, 0));
    const auto none = RlpItem::list();
    CHECK(decodeExtraData(Consensus::Qbft, Bytes{0x83, 0x01}).error ==
          "extraData is not RLP: byte 0: a string of 3 bytes runs past the end of the input");
    CHECK(decodeError(Consensus::Qbft, RlpItem::list({vanity, none, none, RlpItem()})) ==
          "extraData is not a list of 5 fields (vanity, validators, vote, round, seals)");
    CHECK(decodeError(Consensus::Qbft,
                      RlpItem::list({vanity, RlpItem::list({RlpItem::bytes(Bytes(19, 1))}), none,
                                     RlpItem(), none})) ==
          "extraData's validator 0 is not 20 bytes");
    // The other protocol's "no vote".
    CHECK(decodeError(Consensus::Qbft, RlpItem::list({vanity, none, RlpItem(), RlpItem(), none})) ==
          "extraData's vote is not [] or [address, 0xff | \"\"]");
    CHECK(decodeError(Consensus::Ibft2, RlpItem::list({vanity, none, none, RlpItem(), none})) ==
          "extraData's vote is not \"\" or [address, 0xff | 0x00]");
    // The other protocol's round.
    CHECK(
        decodeError(Consensus::Ibft2, RlpItem::list({vanity, none, RlpItem(), RlpItem(), none})) ==
        "extraData's round is not a 4-byte integer");
    CHECK(decodeError(Consensus::Qbft, RlpItem::list({vanity, none, none,
                                                      RlpItem::bytes(Bytes{0, 0, 0, 0}), none})) ==
          "extraData's round is not a 32-bit scalar");
    CHECK(decodeError(Consensus::Qbft, RlpItem::list({vanity, none, none, RlpItem(), RlpItem()})) ==
          "extraData's seals are not a list");
}

}  // namespace chainvisor::nodes::besu
