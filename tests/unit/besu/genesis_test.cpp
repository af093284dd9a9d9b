// The genesis file: the whole text for known values (so any change to it is seen), its
// extraData with sorted validators, and its determinism.
#include "nodes/besu/genesis.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "nodes/hex.h"

namespace chainvisor::nodes::besu {
namespace {

Address addressOf(std::string_view text) {
    const auto parsed = parseAddress(text);
    REQUIRE(parsed.address);
    return *parsed.address;
}

GenesisParams devnet() {
    GenesisParams params;
    params.chainId = 1337;
    // The four validators of besu-docs' QBFT example, in its (unsorted) order.
    params.validators = {addressOf("64a702e6263b7297a96638cac6ae65e6541f4169"),
                         addressOf("3923390ad55e90c237593b3b0e401f3b08a03185"),
                         addressOf("aefdb9a738c9f433e5b6b212a6d62f6370c2f692"),
                         addressOf("c7eeb9a4e00ce683cf93039b212648e01c6c6b78")};
    return params;
}

}  // namespace

TEST_CASE("a QBFT genesis file, whole", "[besu][genesis]") {
    CHECK(renderGenesis(devnet()) ==
          R"({
  "config": {
    "chainId": 1337,
    "berlinBlock": 0,
    "londonBlock": 0,
    "zeroBaseFee": true,
    "qbft": {
      "blockperiodseconds": 2,
      "epochlength": 30000,
      "requesttimeoutseconds": 4
    }
  },
  "nonce": "0x0",
  "timestamp": "0x0",
  "extraData": "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f854943923390ad55e90c237593b3b0e401f3b08a031859464a702e6263b7297a96638cac6ae65e6541f416994aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0",
  "gasLimit": "0x1fffffffffffff",
  "difficulty": "0x1",
  "mixHash": "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365",
  "coinbase": "0x0000000000000000000000000000000000000000",
  "alloc": {}
}
)");
}

TEST_CASE("an IBFT 2.0 genesis file: its own config key and extraData", "[besu][genesis]") {
    auto params = devnet();
    params.consensus = Consensus::Ibft2;
    params.blockPeriodSeconds = 5;
    params.epochLength = 100;
    params.requestTimeoutSeconds = 10;
    const auto genesis = boost::json::parse(renderGenesis(params));
    const auto& config = genesis.at("config");
    CHECK(config.as_object().if_contains("qbft") == nullptr);
    CHECK(config.at("ibft2").at("blockperiodseconds") == 5);
    CHECK(config.at("ibft2").at("epochlength") == 100);
    CHECK(config.at("ibft2").at("requesttimeoutseconds") == 10);
    const std::string extraData(genesis.at("extraData").as_string());
    CHECK(extraData.ends_with("808400000000c0"));
    CHECK(extraData ==
          genesisExtraDataHex(Consensus::Ibft2, sortedValidators(devnet().validators)));
}

TEST_CASE("validator order and duplicates do not change the genesis", "[besu][genesis]") {
    auto reversed = devnet();
    std::reverse(reversed.validators.begin(), reversed.validators.end());
    reversed.validators.push_back(reversed.validators.front());
    CHECK(renderGenesis(reversed) == renderGenesis(devnet()));
}

TEST_CASE("alloc, gas limit, timestamp and the base fee", "[besu][genesis]") {
    auto params = devnet();
    params.alloc = {
        {addressOf("0xf17f52151EbEF6C7334FAD080c5704D77216b732"), "90000000000000000000000"},
        {addressOf("0xFE3B557E8Fb62b89F4916B721be55cEb828dBd73"), "0xad78ebc5ac6200000"}};
    params.gasLimit = "0x47b760";
    params.timestamp = 0x58ee40ba;
    params.zeroBaseFee = false;
    const auto text = renderGenesis(params);
    CHECK(text.find(R"("timestamp": "0x58ee40ba",)") != std::string::npos);
    CHECK(text.find(R"("gasLimit": "0x47b760",)") != std::string::npos);
    CHECK(text.find("zeroBaseFee") == std::string::npos);
    // Accounts sorted by address, written lower-case.
    CHECK(text.ends_with(R"(  "alloc": {
    "0xf17f52151ebef6c7334fad080c5704d77216b732": {
      "balance": "90000000000000000000000"
    },
    "0xfe3b557e8fb62b89f4916b721be55ceb828dbd73": {
      "balance": "0xad78ebc5ac6200000"
    }
  }
}
)"));
}

TEST_CASE("a large chain id is written as a JSON integer", "[besu][genesis]") {
    auto params = devnet();
    params.chainId = 9007199254740991;  // the largest the cluster file accepts (2^53 − 1)
    CHECK(renderGenesis(params).find(R"("chainId": 9007199254740991,)") != std::string::npos);
}

}  // namespace chainvisor::nodes::besu
