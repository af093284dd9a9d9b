// A Besu node's secp256k1 key pair: the private key as Besu stores it (its `key` file), and what
// follows from it: the 64-byte public key X‖Y that is the node's enode id, and the address
// (last 20 bytes of keccak256(X‖Y)) that names it as a validator.
//
// Secrets: the private key is never part of an error message, and is wiped from memory when the
// NodeKey goes away. Parsing and derivation are pure; key_file.h reads, writes and makes keys.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "nodes/besu/address.h"

namespace chainvisor::nodes::besu {

inline constexpr std::size_t kPrivateKeyBytes = 32;
inline constexpr std::size_t kPublicKeyBytes = 64;

// The uncompressed public key without its 0x04 tag: X‖Y, 32 bytes each, big-endian.
struct PublicKey {
    std::array<std::uint8_t, kPublicKeyBytes> bytes{};

    // 128 lower-case hex digits, no prefix: the id in enode://ID@IP:PORT.
    std::string hex() const;
    Address address() const;

    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

struct ParsedKey;

class NodeKey {
public:
    NodeKey(const NodeKey&) = delete;
    NodeKey& operator=(const NodeKey&) = delete;
    NodeKey(NodeKey&& other) noexcept;
    NodeKey& operator=(NodeKey&& other) noexcept;
    ~NodeKey();

    // 32 bytes, big-endian; valid when 1 ≤ key < n, the group order.
    static ParsedKey fromBytes(std::span<const std::uint8_t> secret);
    // A key file's content as Besu reads it: one line of 64 hex digits, "0x" before them
    // optional, one line ending (\n, \r\n or \r) after them allowed.
    static ParsedKey fromText(std::string_view text);

    const PublicKey& publicKey() const { return public_; }
    Address address() const { return public_.address(); }

    // What Besu writes to its key file: "0x" + 64 lower-case digits, no line ending. The caller
    // owns a secret: wipe() it when written.
    std::string keyFileText() const;

private:
    NodeKey() = default;

    std::array<std::uint8_t, kPrivateKeyBytes> secret_{};
    PublicKey public_;
};

struct ParsedKey {
    std::optional<NodeKey> key;
    std::string error;  // what is wrong; never the key or any part of it
};

}  // namespace chainvisor::nodes::besu
