#include "nodes/besu/rlp.h"

namespace chainvisor::nodes::besu {
namespace {

constexpr std::uint8_t kShortString = 0x80;  // + length, for 0..55 bytes
constexpr std::uint8_t kLongString = 0xb7;   // + length of the length, for more
constexpr std::uint8_t kShortList = 0xc0;
constexpr std::uint8_t kLongList = 0xf7;
constexpr std::size_t kShortLimit = 55;

Bytes bigEndian(std::uint64_t value) {
    Bytes out;
    for (; value != 0; value >>= 8) {
        out.insert(out.begin(), static_cast<std::uint8_t>(value & 0xff));
    }
    return out;
}

void appendHeader(Bytes& out, std::size_t length, std::uint8_t shortBase, std::uint8_t longBase) {
    if (length <= kShortLimit) {
        out.push_back(static_cast<std::uint8_t>(shortBase + length));
        return;
    }
    const Bytes size = bigEndian(length);
    out.push_back(static_cast<std::uint8_t>(longBase + size.size()));
    out.insert(out.end(), size.begin(), size.end());
}

void encodeInto(const RlpItem& item, Bytes& out) {
    if (!item.isList()) {
        const auto& value = item.value();
        if (value.size() == 1 && value[0] < kShortString) {
            out.push_back(value[0]);  // a single byte below 0x80 is its own encoding
            return;
        }
        appendHeader(out, value.size(), kShortString, kLongString);
        out.insert(out.end(), value.begin(), value.end());
        return;
    }
    Bytes payload;
    for (const auto& child : item.items()) {
        encodeInto(child, payload);
    }
    appendHeader(out, payload.size(), kShortList, kLongList);
    out.insert(out.end(), payload.begin(), payload.end());
}

class Decoder {
public:
    explicit Decoder(std::span<const std::uint8_t> input) : input_(input) {}

    // One value starting at `at`, which is advanced past it; `end` bounds it (the enclosing
    // list's end). nullopt with error_ set on malformed input.
    std::optional<RlpItem> value(std::size_t& at, std::size_t end, int depth) {
        const std::string bound = end == input_.size() ? "the input" : "its list";
        if (at >= end) {
            return fail(at, "expected a value, found the end of " + bound);
        }
        const std::size_t start = at;
        const std::uint8_t prefix = input_[at++];
        if (prefix < kShortString) {
            return RlpItem::bytes(Bytes{prefix});
        }
        const bool list = prefix >= kShortList;
        const std::uint8_t shortBase = list ? kShortList : kShortString;
        const std::uint8_t longBase = list ? kLongList : kLongString;
        std::size_t length = 0;
        if (prefix <= longBase) {
            length = prefix - shortBase;
        } else {
            const std::size_t sizeBytes = prefix - longBase;
            if (sizeBytes > end - at) {
                return fail(start, "the length of the length runs past the end of " + bound);
            }
            if (input_[at] == 0) {
                return fail(start, "the length has a leading zero byte (not canonical)");
            }
            if (sizeBytes > sizeof(std::size_t)) {
                return fail(start, "the length does not fit in memory");
            }
            for (std::size_t i = 0; i < sizeBytes; ++i) {
                length = length << 8 | input_[at++];
            }
            if (length <= kShortLimit) {
                return fail(start, "a length of " + std::to_string(length) +
                                       " is written in the long form (not canonical)");
            }
        }
        if (length > end - at) {
            return fail(start, "a " + std::string(list ? "list" : "string") + " of " +
                                   std::to_string(length) + " bytes runs past the end of " + bound);
        }
        if (!list) {
            if (length == 1 && input_[at] < kShortString) {
                return fail(start, "a single byte below 0x80 has a length prefix (not canonical)");
            }
            auto item = RlpItem::bytes(input_.subspan(at, length));
            at += length;
            return item;
        }
        if (depth >= kMaxRlpDepth) {
            return fail(start, "lists nest deeper than " + std::to_string(kMaxRlpDepth));
        }
        const std::size_t listEnd = at + length;
        std::vector<RlpItem> items;
        while (at < listEnd) {
            auto child = value(at, listEnd, depth + 1);
            if (!child) {
                return std::nullopt;
            }
            items.push_back(std::move(*child));
        }
        return RlpItem::list(std::move(items));
    }

    std::string error;

private:
    std::optional<RlpItem> fail(std::size_t at, std::string what) {
        error = "byte " + std::to_string(at) + ": " + std::move(what);
        return std::nullopt;
    }

    std::span<const std::uint8_t> input_;
};

}  // namespace

RlpItem RlpItem::bytes(Bytes value) {
    RlpItem item;
    item.bytes_ = std::move(value);
    return item;
}

RlpItem RlpItem::bytes(std::span<const std::uint8_t> value) {
    return bytes(Bytes(value.begin(), value.end()));
}

RlpItem RlpItem::text(std::string_view value) {
    return bytes(Bytes(value.begin(), value.end()));
}

RlpItem RlpItem::scalar(std::uint64_t value) {
    return bytes(bigEndian(value));
}

RlpItem RlpItem::list(std::vector<RlpItem> items) {
    RlpItem item;
    item.isList_ = true;
    item.items_ = std::move(items);
    return item;
}

std::optional<std::uint64_t> RlpItem::toScalar() const {
    if (isList_ || bytes_.size() > 8 || (!bytes_.empty() && bytes_[0] == 0)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (const auto b : bytes_) {
        value = value << 8 | b;
    }
    return value;
}

Bytes rlpEncode(const RlpItem& item) {
    Bytes out;
    encodeInto(item, out);
    return out;
}

RlpDecoded rlpDecode(std::span<const std::uint8_t> encoded) {
    Decoder decoder(encoded);
    std::size_t at = 0;
    auto item = decoder.value(at, encoded.size(), 0);
    if (!item) {
        return {std::nullopt, std::move(decoder.error)};
    }
    if (at != encoded.size()) {
        return {std::nullopt, "byte " + std::to_string(at) + ": " +
                                  std::to_string(encoded.size() - at) + " bytes follow the value"};
    }
    return {std::move(item), {}};
}

}  // namespace chainvisor::nodes::besu
