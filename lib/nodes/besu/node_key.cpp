#include "nodes/besu/node_key.h"

#include <secp256k1.h>

#include <algorithm>
#include <memory>

#include "nodes/besu/keccak.h"
#include "nodes/besu/random_bytes.h"
#include "nodes/besu/secret.h"
#include "nodes/hex.h"

namespace chainvisor::nodes::besu {
namespace {

constexpr std::string_view kKeyFormat = "a Besu node key is 0x followed by 64 hex digits";

struct ContextDeleter {
    void operator()(secp256k1_context* context) const { secp256k1_context_destroy(context); }
};
using Context = std::unique_ptr<secp256k1_context, ContextDeleter>;

// A context per derivation: keys are derived a handful of times in a process, and a context held
// for the process would be global state. Randomising it blinds the secret-dependent arithmetic
// against side channels; without randomness the result is the same, only unblinded.
Context makeContext() {
    Context context(secp256k1_context_create(SECP256K1_CONTEXT_NONE));
    std::array<std::uint8_t, 32> seed{};
    if (fillRandom(seed).empty()) {
        // A failure (0) leaves the context as it was: correct, only unblinded.
        [[maybe_unused]] const int randomised =
            secp256k1_context_randomize(context.get(), seed.data());
    }
    wipe(seed);
    return context;
}

bool isZero(std::span<const std::uint8_t> bytes) {
    std::uint8_t any = 0;
    for (const auto b : bytes) {
        any |= b;
    }
    return any == 0;
}

}  // namespace

std::string PublicKey::hex() const {
    return toHex(bytes);
}

Address PublicKey::address() const {
    const Hash256 hash = keccak256(bytes);
    Address address;
    std::copy(hash.end() - static_cast<std::ptrdiff_t>(address.bytes.size()), hash.end(),
              address.bytes.begin());
    return address;
}

NodeKey::NodeKey(NodeKey&& other) noexcept : secret_(other.secret_), public_(other.public_) {
    wipe(other.secret_);
}

NodeKey& NodeKey::operator=(NodeKey&& other) noexcept {
    if (this != &other) {
        secret_ = other.secret_;
        public_ = other.public_;
        wipe(other.secret_);
    }
    return *this;
}

NodeKey::~NodeKey() {
    wipe(secret_);
}

ParsedKey NodeKey::fromBytes(std::span<const std::uint8_t> secret) {
    if (secret.size() != kPrivateKeyBytes) {
        return {std::nullopt,
                "a secp256k1 private key is 32 bytes, got " + std::to_string(secret.size())};
    }
    // Told apart from "≥ n" only for the message; libsecp256k1 refuses both.
    if (isZero(secret)) {
        return {std::nullopt, "the key is zero, which is not a valid secp256k1 private key"};
    }
    const auto context = makeContext();
    if (!secp256k1_ec_seckey_verify(context.get(), secret.data())) {
        return {std::nullopt,
                "the key is not below the secp256k1 group order n, so it is not a valid private "
                "key"};
    }
    NodeKey key;
    std::copy(secret.begin(), secret.end(), key.secret_.begin());
    secp256k1_pubkey point;
    if (!secp256k1_ec_pubkey_create(context.get(), &point, key.secret_.data())) {
        return {std::nullopt, "libsecp256k1 could not derive the public key"};
    }
    std::array<std::uint8_t, kPublicKeyBytes + 1> serialized{};
    std::size_t size = serialized.size();
    (void)secp256k1_ec_pubkey_serialize(context.get(), serialized.data(), &size, &point,
                                        SECP256K1_EC_UNCOMPRESSED);
    // serialized[0] is the 0x04 tag of an uncompressed point; Ethereum drops it.
    std::copy(serialized.begin() + 1, serialized.end(), key.public_.bytes.begin());
    return {std::move(key), {}};
}

ParsedKey NodeKey::fromText(std::string_view text) {
    for (const std::string_view ending : {"\r\n", "\n", "\r"}) {
        if (text.ends_with(ending)) {
            text.remove_suffix(ending.size());
            break;
        }
    }
    if (text.empty()) {
        return {std::nullopt, "the key file is empty; " + std::string(kKeyFormat)};
    }
    if (text.find_first_of("\r\n") != std::string_view::npos) {
        return {std::nullopt, "the key file holds more than one line; " + std::string(kKeyFormat) +
                                  " on one line"};
    }
    const std::string_view digits = withoutHexPrefix(text);
    const std::size_t offset = text.size() - digits.size();
    if (digits.size() != 2 * kPrivateKeyBytes) {
        return {std::nullopt, "expected 64 hex digits, found " + std::to_string(digits.size()) +
                                  " characters; " + std::string(kKeyFormat)};
    }
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (hexDigitValue(digits[i]) < 0) {
            return {std::nullopt, "character " + std::to_string(offset + i + 1) +
                                      " of the key is not a hex digit; " + std::string(kKeyFormat)};
        }
    }
    std::array<std::uint8_t, kPrivateKeyBytes> secret{};
    for (std::size_t i = 0; i < secret.size(); ++i) {
        secret[i] = static_cast<std::uint8_t>(hexDigitValue(digits[2 * i]) << 4 |
                                              hexDigitValue(digits[2 * i + 1]));
    }
    auto parsed = fromBytes(secret);
    wipe(secret);
    return parsed;
}

std::string NodeKey::keyFileText() const {
    // Built in one buffer reserved up front: no temporary or reallocation leaves a copy behind.
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 + 2 * kPrivateKeyBytes);
    text += "0x";
    for (const auto b : secret_) {
        text += kDigits[b >> 4];
        text += kDigits[b & 0x0f];
    }
    return text;
}

}  // namespace chainvisor::nodes::besu
