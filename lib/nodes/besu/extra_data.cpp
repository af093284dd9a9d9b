#include "nodes/besu/extra_data.h"

#include <algorithm>

#include "nodes/besu/rlp.h"

namespace chainvisor::nodes::besu {
namespace {

// Besu's Vote.ADD_BYTE_VALUE and DROP_BYTE_VALUE.
constexpr std::uint8_t kVoteAdd = 0xff;
constexpr std::uint8_t kVoteDrop = 0x00;

constexpr std::size_t kFields = 5;  // vanity, validators, vote, round, seals

std::optional<Address> addressOf(const RlpItem& item) {
    Address address;
    if (item.isList() || item.value().size() != address.bytes.size()) {
        return std::nullopt;
    }
    std::copy(item.value().begin(), item.value().end(), address.bytes.begin());
    return address;
}

DecodedExtraData fail(std::string what) {
    return {std::nullopt, std::move(what)};
}

// QBFT: [] for no vote; else [recipient, 0xff (add) | "" (drop)].
// IBFT2: "" for no vote; else [recipient, 0xff (add) | 0x00 (drop)].
std::optional<std::optional<BftExtraData::Vote>> voteOf(Consensus consensus, const RlpItem& item) {
    if (consensus == Consensus::Qbft ? item == RlpItem::list() : item == RlpItem()) {
        return std::optional<BftExtraData::Vote>{};
    }
    if (!item.isList() || item.items().size() != 2) {
        return std::nullopt;
    }
    const auto recipient = addressOf(item.items()[0]);
    const auto& kind = item.items()[1];
    if (!recipient || kind.isList()) {
        return std::nullopt;
    }
    const Bytes drop = consensus == Consensus::Qbft ? Bytes{} : Bytes{kVoteDrop};
    if (kind.value() != Bytes{kVoteAdd} && kind.value() != drop) {
        return std::nullopt;
    }
    return BftExtraData::Vote{*recipient, kind.value() == Bytes{kVoteAdd}};
}

}  // namespace

std::string_view configKey(Consensus consensus) {
    return consensus == Consensus::Qbft ? "qbft" : "ibft2";
}

std::vector<Address> sortedValidators(std::vector<Address> validators) {
    std::sort(validators.begin(), validators.end());
    validators.erase(std::unique(validators.begin(), validators.end()), validators.end());
    return validators;
}

Bytes encodeGenesisExtraData(Consensus consensus, std::span<const Address> validators) {
    std::vector<RlpItem> list;
    for (const auto& v : validators) {
        list.push_back(RlpItem::bytes(v.bytes));
    }
    std::vector<RlpItem> fields;
    fields.push_back(RlpItem::bytes(Bytes(kVanityBytes, 0)));
    fields.push_back(RlpItem::list(std::move(list)));
    if (consensus == Consensus::Qbft) {
        fields.push_back(RlpItem::list());     // no vote (writeEmptyList)
        fields.push_back(RlpItem::scalar(0));  // round (writeIntScalar): 0x80
    } else {
        fields.push_back(RlpItem());                    // no vote (writeNull): 0x80
        fields.push_back(RlpItem::bytes(Bytes(4, 0)));  // round (writeInt): always 4 bytes
    }
    fields.push_back(RlpItem::list());  // no seals
    return rlpEncode(RlpItem::list(std::move(fields)));
}

std::string genesisExtraDataHex(Consensus consensus, std::span<const Address> validators) {
    return "0x" + toHex(encodeGenesisExtraData(consensus, validators));
}

DecodedExtraData decodeExtraData(Consensus consensus, std::span<const std::uint8_t> encoded) {
    auto decoded = rlpDecode(encoded);
    if (!decoded.item) {
        return fail("extraData is not RLP: " + decoded.error);
    }
    const auto& root = *decoded.item;
    if (!root.isList() || root.items().size() != kFields) {
        return fail(
            "extraData is not a list of 5 fields (vanity, validators, vote, round, "
            "seals)");
    }
    const auto& f = root.items();
    BftExtraData data;
    if (f[0].isList()) {
        return fail("extraData's vanity is a list, not bytes");
    }
    data.vanity = f[0].value();
    if (!f[1].isList()) {
        return fail("extraData's validators are not a list");
    }
    for (std::size_t i = 0; i < f[1].items().size(); ++i) {
        const auto address = addressOf(f[1].items()[i]);
        if (!address) {
            return fail("extraData's validator " + std::to_string(i) + " is not 20 bytes");
        }
        data.validators.push_back(*address);
    }
    const auto vote = voteOf(consensus, f[2]);
    if (!vote) {
        return fail(std::string("extraData's vote is not ") +
                    (consensus == Consensus::Qbft ? "[] or [address, 0xff | \"\"]"
                                                  : "\"\" or [address, 0xff | 0x00]"));
    }
    data.vote = *vote;
    if (consensus == Consensus::Qbft) {
        const auto round = f[3].toScalar();
        if (!round || *round > 0xffffffff) {
            return fail("extraData's round is not a 32-bit scalar");
        }
        data.round = static_cast<std::uint32_t>(*round);
    } else {
        if (f[3].isList() || f[3].value().size() != 4) {
            return fail("extraData's round is not a 4-byte integer");
        }
        for (const auto b : f[3].value()) {
            data.round = data.round << 8 | b;
        }
    }
    if (!f[4].isList()) {
        return fail("extraData's seals are not a list");
    }
    for (const auto& seal : f[4].items()) {
        if (seal.isList()) {
            return fail("extraData's seals hold a list, not signatures");
        }
    }
    data.seals = f[4].items().size();
    return {std::move(data), {}};
}

}  // namespace chainvisor::nodes::besu
