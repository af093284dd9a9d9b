// Keccak-256 against vectors: the empty string and "abc" (Ethereum's well-known values, which
// also tell Keccak from SHA3-256), and inputs around the 136-byte rate. The long vectors were
// computed with an independent implementation, pycryptodome's Cryptodome.Hash.keccak
// (Debian bookworm's python3-pycryptodome 3.11), with digest_bits=256.
#include "nodes/besu/keccak.h"

#include <catch2/catch.hpp>
#include <string>

#include "nodes/hex.h"

namespace chainvisor::nodes::besu {
namespace {

std::string hexOf(std::string_view text) {
    return toHex(keccak256(text));
}

}  // namespace

TEST_CASE("keccak256 of the empty string and of abc", "[besu][keccak]") {
    CHECK(hexOf("") == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    CHECK(hexOf("abc") == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    // The same inputs under SHA3-256 (padding 0x06) give a7ffc6f8… and 3a985da7…: not these.
    CHECK(hexOf("") != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST_CASE("keccak256 of a sentence and of Ethereum's empty list", "[besu][keccak]") {
    CHECK(hexOf("The quick brown fox jumps over the lazy dog") ==
          "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
    // keccak256(RLP([])) is every post-merge block's ommersHash (Besu's docs quote it).
    const std::uint8_t emptyList[] = {0xc0};
    CHECK(toHex(keccak256(emptyList)) ==
          "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
}

TEST_CASE("keccak256 around the 136-byte rate: padding in the last byte, a block of padding",
          "[besu][keccak]") {
    struct Row {
        std::size_t length;
        const char* digest;
    };
    // "a" repeated: 135 leaves one byte for the padding (0x81), 136 fills a block exactly (the
    // padding is a block of its own), 137 crosses into a second block.
    const Row rows[] = {
        {135, "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"},
        {136, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"},
        {137, "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39"},
        {200, "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d"},
        {272, "cf7fcd4f705ee749930d19ca84561a9bf62516bd90a471545fa2f49fdc7e63c8"},
        {1000, "b6a4ac1f51884d71f30fa397a5e155de3099e11fc0edef5d08b646e621e19de9"},
    };
    for (const auto& row : rows) {
        INFO(row.length);
        CHECK(hexOf(std::string(row.length, 'a')) == row.digest);
    }
}

TEST_CASE("keccak256 of every byte value", "[besu][keccak]") {
    std::uint8_t bytes[256];
    for (int i = 0; i < 256; ++i) {
        bytes[i] = static_cast<std::uint8_t>(i);
    }
    CHECK(toHex(keccak256(bytes)) ==
          "dc924469b334aed2a19fac7252e9961aea41f8d91996366029dbe0884229bf36");
}

TEST_CASE("keccak256 does not depend on how the input is split", "[besu][keccak]") {
    const std::string input(1000, 'a');
    const auto whole = keccak256(input);
    for (std::size_t piece : {1u, 7u, 135u, 136u, 137u, 500u}) {
        INFO(piece);
        Keccak256 hasher;
        for (std::size_t at = 0; at < input.size(); at += piece) {
            hasher.update(std::string_view(input).substr(at, piece));
        }
        CHECK(hasher.finish() == whole);
    }
}

TEST_CASE("a Keccak256 is reset by finish and hashes the next input afresh", "[besu][keccak]") {
    Keccak256 hasher;
    hasher.update(std::string_view("abc"));
    CHECK(hasher.finish() == keccak256(std::string_view("abc")));
    CHECK(hasher.finish() == keccak256(std::string_view("")));
    hasher.update(std::string_view("abc"));
    CHECK(hasher.finish() == keccak256(std::string_view("abc")));
}

}  // namespace chainvisor::nodes::besu
