#include "nodes/besu/genesis.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "nodes/besu/pretty_json.h"

namespace chainvisor::nodes::besu {
namespace {

namespace json = boost::json;

std::string hexQuantity(std::uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string digits;
    do {
        digits.insert(digits.begin(), kDigits[value & 0x0f]);
        value >>= 4;
    } while (value != 0);
    return "0x" + digits;
}

}  // namespace

json::value genesisJson(const GenesisParams& params) {
    json::object bft;
    bft["blockperiodseconds"] = params.blockPeriodSeconds;
    bft["epochlength"] = params.epochLength;
    bft["requesttimeoutseconds"] = params.requestTimeoutSeconds;

    json::object config;
    config["chainId"] = params.chainId;
    config["berlinBlock"] = 0;
    config["londonBlock"] = 0;
    if (params.zeroBaseFee) {
        config["zeroBaseFee"] = true;
    }
    config[configKey(params.consensus)] = std::move(bft);

    auto accounts = params.alloc;
    std::stable_sort(accounts.begin(), accounts.end(),
                     [](const auto& a, const auto& b) { return a.address < b.address; });
    json::object alloc;
    for (const auto& account : accounts) {
        alloc[account.address.lowerHex()] = json::object{{"balance", account.balance}};
    }

    const auto validators = sortedValidators(params.validators);
    json::object genesis;
    genesis["config"] = std::move(config);
    genesis["nonce"] = "0x0";
    genesis["timestamp"] = hexQuantity(params.timestamp);
    genesis["extraData"] = genesisExtraDataHex(params.consensus, validators);
    genesis["gasLimit"] = params.gasLimit;
    genesis["difficulty"] = "0x1";
    genesis["mixHash"] = kBftMixHash;
    genesis["coinbase"] = "0x0000000000000000000000000000000000000000";
    genesis["alloc"] = std::move(alloc);
    return genesis;
}

std::string renderGenesis(const GenesisParams& params) {
    return prettyJson(genesisJson(params));
}

}  // namespace chainvisor::nodes::besu
