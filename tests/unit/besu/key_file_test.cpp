// Key files on a real filesystem (a temporary directory): what is written, its mode, that it is
// never replaced, and what a bad file is told apart by.
#include "nodes/besu/key_file.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "temp_dir.h"

namespace chainvisor::nodes::besu {
namespace {

using test::TempDir;

std::string contentOf(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned modeOf(const std::filesystem::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("generated keys are valid and differ", "[besu][keyfile]") {
    auto a = generateNodeKey();
    auto b = generateNodeKey();
    REQUIRE(a.key);
    REQUIRE(b.key);
    CHECK(a.key->address() != b.key->address());
    // Each reads back from its own key file text to the same key.
    CHECK(NodeKey::fromText(a.key->keyFileText()).key->address() == a.key->address());
}

TEST_CASE("a saved key file is Besu's format, mode 0600, and loads back", "[besu][keyfile]") {
    TempDir dir;
    const auto key = std::move(*generateNodeKey().key);
    const auto path = dir.path() / "val1.key";
    REQUIRE(saveKeyFile(path, key).empty());
    const auto text = contentOf(path);
    CHECK(text.size() == 66);
    CHECK(text.starts_with("0x"));
    CHECK(text == key.keyFileText());
    CHECK(modeOf(path) == 0600);
    const auto loaded = loadKeyFile(path);
    REQUIRE(loaded.key);
    CHECK(loaded.key->publicKey() == key.publicKey());
    // Nothing else is left in the directory (the temporary file is gone).
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                        std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("an existing key file is never replaced", "[besu][keyfile]") {
    TempDir dir;
    const auto path =
        dir.write("key", "0x0000000000000000000000000000000000000000000000000000000000000001");
    const auto other = std::move(*generateNodeKey().key);
    const auto error = saveKeyFile(path, other);
    CHECK(error == path.string() +
                       ": a key file is already there; a node key is never replaced (the node "
                       "would become another node, and a validator lose its seat)");
    CHECK(contentOf(path) == "0x0000000000000000000000000000000000000000000000000000000000000001");
}

TEST_CASE("saving into a missing directory fails with the reason", "[besu][keyfile]") {
    TempDir dir;
    const auto key = std::move(*generateNodeKey().key);
    const auto error = saveKeyFile(dir.path() / "missing" / "key", key);
    CHECK_THAT(error, Catch::StartsWith((dir.path() / "missing").string() +
                                        ": cannot create a temporary file: "));
}

TEST_CASE("key files Besu wrote by hand or by itself load", "[besu][keyfile]") {
    TempDir dir;
    // Besu's own `key` has no line ending; an operator's echo adds one.
    const auto besu =
        dir.write("besu", "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63");
    const auto echoed =
        dir.write("echoed", "8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63\n");
    for (const auto& path : {besu, echoed}) {
        const auto loaded = loadKeyFile(path);
        REQUIRE(loaded.key);
        CHECK(loaded.key->address().checksummed() == "0xFE3B557E8Fb62b89F4916B721be55cEb828dBd73");
    }
}

TEST_CASE("bad key files are refused with the path and without their content", "[besu][keyfile]") {
    TempDir dir;
    const auto missing = dir.path() / "missing";
    CHECK(loadKeyFile(missing).error ==
          missing.string() + ": cannot open the key file: No such file or directory");
    CHECK(loadKeyFile(dir.path()).error ==
          dir.path().string() +
              ": not a regular file; a Besu node key file holds 0x followed by 64 hex digits");
    const auto big = dir.write("big", std::string(5000, 'a'));
    CHECK(loadKeyFile(big).error == big.string() +
                                        ": the file is 5000 bytes; a Besu node key file holds 0x "
                                        "followed by 64 hex digits (66 bytes)");
    const auto shortKey = dir.write("short", "0xc87509a1c067bbde78beb793e6fa76530b6382a4");
    const auto error = loadKeyFile(shortKey).error;
    CHECK(error == shortKey.string() +
                       ": expected 64 hex digits, found 40 characters; a Besu node key is 0x "
                       "followed by 64 hex digits");
    CHECK(error.find("c87509") == std::string::npos);
}

}  // namespace chainvisor::nodes::besu
