// Input that is not a cluster file at all, or is built to hurt: binary, huge, deeply nested,
// alias bombs, unreadable. Each gives a clear error; none crashes, hangs or eats memory.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "spec/text_check.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace chainvisor::spec;
using namespace chainvisor::spec::test;

namespace {

// A temporary directory removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "chainvisor-spec-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        const auto p = path / name;
        std::FILE* f = std::fopen(p.c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
        std::fclose(f);
        return p;
    }
};

std::vector<std::string> only(const LoadResult& result) {
    CHECK_FALSE(result.ok());
    return withoutFile(result);
}

}  // namespace

TEST_CASE("Empty, blank and comment-only files say the file is empty", "[spec][garbage]") {
    for (const std::string text :
         {"", "   \n\t\n", "# just a comment\n\n# another\n", "---\n", "---\n...\n", "~\n"}) {
        INFO('"' << text << '"');
        CHECK(only(loadText(text)) ==
              std::vector<std::string>{
                  "the file is empty; expected a mapping with apiVersion: chainvisor/v1"});
    }
}

TEST_CASE("Binary and non-UTF-8 files are not text files", "[spec][garbage]") {
    using V = std::vector<std::string>;
    CHECK(only(loadText(std::string("apiVersion: chainvisor/v1\nna\0me: x\n", 35))) ==
          V{"not a text file (byte 0x00 at line 2, column 3); a cluster file is UTF-8 YAML text"});
    // Latin-1 "é" where UTF-8 was expected.
    CHECK(only(loadText("name: caf\xE9\n")) ==
          V{"not a text file (byte 0xE9 at line 1, column 10); a cluster file is UTF-8 YAML "
            "text"});
    // UTF-16 with a byte order mark.
    CHECK(only(loadText(std::string("\xFF\xFE"
                                    "a\0:\0",
                                    6))) ==
          V{"not a text file (byte 0xFF at line 1, column 1); a cluster file is UTF-8 YAML text"});
    // A PNG header.
    CHECK(only(loadText("\x89PNG\r\n\x1A\n")) ==
          V{"not a text file (byte 0x89 at line 1, column 1); a cluster file is UTF-8 YAML text"});
    // An escape sequence pasted from a terminal.
    CHECK(only(loadText("name: \x1B[31mred\n")) ==
          V{"not a text file (byte 0x1B at line 1, column 7); a cluster file is UTF-8 YAML text"});
    // Overlong encodings and surrogates are not UTF-8 either.
    CHECK(detail::findNonText("\xC0\xAF"));
    CHECK(detail::findNonText("\xED\xA0\x80"));
    CHECK(detail::findNonText("\xF4\x90\x80\x80"));
    CHECK(detail::findNonText("caf\xC3"));  // cut short
    // Real UTF-8 is fine, and columns count bytes like the YAML parser's.
    CHECK_FALSE(detail::findNonText("name: café ✓ 𝄞\r\n\ttab\n"));
    CHECK(detail::findNonText("é\x01")->where.column == 3);
}

TEST_CASE("A UTF-8 byte order mark and CRLF line ends are accepted", "[spec][garbage]") {
    std::string text = "\xEF\xBB\xBF" + fourValidators();
    std::string crlf;
    for (char c : text) {
        if (c == '\n') {
            crlf += '\r';
        }
        crlf += c;
    }
    const auto result = loadText(crlf);
    INFO(joined(withoutFile(result)));
    CHECK(result.ok());
}

TEST_CASE("Files larger than the limit are refused before they are read", "[spec][garbage]") {
    const std::string huge(kMaxClusterFileBytes + 1, '#');
    CHECK(only(loadText(huge)) ==
          std::vector<std::string>{"the file is 4194305 bytes; the largest accepted cluster file "
                                   "is 4194304 bytes (4 MiB)"});

    TempDir dir;
    const auto path = dir.path / "sparse.yaml";
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f != nullptr);
        std::fclose(f);
    }
    fs::resize_file(path, std::uintmax_t{1} << 40);  // 1 TiB, sparse: reading it would take ages
    const auto result = loadClusterFile(path, fixtureFiles());
    CHECK(only(result) == std::vector<std::string>{"the file is 1099511627776 bytes; the largest "
                                                   "accepted cluster file is 4194304 bytes (4 "
                                                   "MiB)"});
}

TEST_CASE("Unreadable paths give the system's reason", "[spec][garbage]") {
    TempDir dir;
    const auto missing = loadClusterFile(dir.path / "nope.yaml", fixtureFiles());
    REQUIRE(missing.diagnostics.size() == 1);
    CHECK(missing.diagnostics[0].str() ==
          (dir.path / "nope.yaml").string() + ": cannot open the file: No such file or directory");

    const auto directory = loadClusterFile(dir.path, fixtureFiles());
    REQUIRE(directory.diagnostics.size() == 1);
    CHECK(directory.diagnostics[0].message.find("is a directory") != std::string::npos);

    CHECK(only(loadClusterFile("/dev/null", fixtureFiles())) ==
          std::vector<std::string>{"is not a regular file; expected a cluster file"});

    if (::geteuid() != 0) {  // root reads anything
        const auto p = dir.write("private.yaml", fourValidators());
        ::chmod(p.c_str(), 0);
        const auto denied = loadClusterFile(p, fixtureFiles());
        REQUIRE(denied.diagnostics.size() == 1);
        CHECK(denied.diagnostics[0].message == "cannot open the file: Permission denied");
    }

    const auto good = loadClusterFile(dir.write("cluster.yaml", fourValidators()), fixtureFiles());
    CHECK(good.ok());
}

TEST_CASE("Deeply nested input is refused with a located error, without a crash",
          "[spec][garbage]") {
    const std::string message =
        "nested more than 64 levels deep; a cluster file needs no more "
        "than 6";
    for (const std::string& open : {std::string("["), std::string("{a: "), std::string("- ")}) {
        INFO(open);
        std::string text;
        for (int i = 0; i < 100000; ++i) {
            text += open;
        }
        const auto lines = only(loadText(text));
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find(message) != std::string::npos);
        CHECK(lines[0].rfind("1:", 0) == 0);  // located on the line it happens
    }
    // Block-style nesting, one level per line.
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        text += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    }
    const auto lines = only(loadText(text));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "65:65: " + message);
    // 60 levels are fine as YAML (and then wrong as a cluster file, but not a crash).
    std::string ok = "apiVersion: chainvisor/v1\nx: ";
    for (int i = 0; i < 60; ++i) {
        ok += "[";
    }
    for (int i = 0; i < 60; ++i) {
        ok += "]";
    }
    const auto okLines = only(loadText(ok + "\n"));
    CHECK(std::none_of(okLines.begin(), okLines.end(), [&](const std::string& l) {
        return l.find("nested") != std::string::npos;
    }));
}

TEST_CASE("Alias bombs do not explode", "[spec][garbage]") {
    // Billion laughs: each level refers to the one before ten times.
    std::string bomb = "apiVersion: chainvisor/v1\nname: test\nx-a: &a [lol, lol, lol, lol, lol]\n";
    std::string previous = "a";
    for (char level = 'b'; level <= 'j'; ++level) {
        bomb += std::string("x-") + level + ": &" + level + " [";
        for (int i = 0; i < 10; ++i) {
            bomb += (i ? ", *" : "*") + previous;
        }
        bomb += "]\n";
        previous = std::string(1, level);
    }
    SECTION("in unknown keys, which are never walked") {
        const auto start = std::chrono::steady_clock::now();
        const auto lines = only(loadText(bomb + "hosts: *j\n"));
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
        CHECK(lines.size() < 30);
    }
    SECTION("where the schema reads values: nodes, config lists, labels") {
        std::string text = bomb + kMinimalHead.substr(kMinimalHead.find("hosts:"));
        text += "nodes:\n";
        for (int i = 0; i < 10; ++i) {
            text += "  - &n" + std::to_string(i) + " {name: v" + std::to_string(i) +
                    ", network: devnet, role: validator, host: local, vmid: " +
                    std::to_string(101 + i) + ", config: {bootnodes: *j, a: *j, b: *j}}\n";
        }
        text +=
            "  - {name: big, network: devnet, role: rpc, host: local, vmid: 200, config: "
            "{x: *i}, labels: {y: *j}}\n";
        const auto start = std::chrono::steady_clock::now();
        const auto result = loadText(text);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
        CHECK_FALSE(result.ok());
        CHECK(result.diagnostics.size() <= 501);
    }
    SECTION("through merge keys") {
        std::string text = "apiVersion: chainvisor/v1\nbase: &base {";
        for (int i = 0; i < 2000; ++i) {
            text += (i ? ", k" : "k") + std::to_string(i) + ": v";
        }
        text += "}\n";
        for (int i = 0; i < 300; ++i) {
            text += "m" + std::to_string(i) + ": {<<: *base}\n";
        }
        const auto lines = only(loadText(text));
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find("the document has more than 250000 nodes") != std::string::npos);
    }
    SECTION("too many nodes outright") {
        std::string text = "apiVersion: chainvisor/v1\nx: [";
        for (int i = 0; i < 300000; ++i) {
            text += "1,";
        }
        text += "]\n";
        const auto lines = only(loadText(text));
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find("the document has more than 250000 nodes") != std::string::npos);
    }
}

TEST_CASE("A reader visiting too many values through aliases stops with one error",
          "[spec][garbage]") {
    // 1000 node entries that are all the same node, whose config has 300 keys that are all the
    // same 500-item list: reading it naively is 150 million values.
    std::string text = kMinimalHead + "list: &l [";
    for (int i = 0; i < 500; ++i) {
        text += "x,";
    }
    text +=
        "]\nnode: &n {name: val1, network: devnet, role: validator, host: local, vmid: 101, "
        "config: {";
    for (int i = 0; i < 300; ++i) {
        text += "k" + std::to_string(i) + ": *l, ";
    }
    text += "}}\nnodes: [";
    for (int i = 0; i < 1000; ++i) {
        text += "*n,";
    }
    text += "]\n";
    const auto start = std::chrono::steady_clock::now();
    const auto lines = only(loadText(text));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
              return l.find("aliases expand the document into more than 1000000 values") !=
                     std::string::npos;
          }) == 1);
    CHECK(lines.size() <= 501);
}

TEST_CASE("Mutated examples never crash the loader", "[spec][garbage]") {
    const std::string original = readText(sourcePath("etc/examples/proxmox-validated-set.yaml"));
    std::mt19937 random(12345);  // fixed: the same inputs every run
    const std::string alphabet = "[]{}:,-&*!|>'\"#%@` \n\tabcxyz019.~?<";
    for (int round = 0; round < 300; ++round) {
        std::string text = original;
        const int edits = 1 + static_cast<int>(random() % 8);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = random() % text.size();
            switch (random() % 3) {
                case 0:
                    text[at] = alphabet[random() % alphabet.size()];
                    break;
                case 1:
                    text.erase(at, 1 + random() % 20);
                    break;
                default:
                    text.insert(at, 1, alphabet[random() % alphabet.size()]);
                    break;
            }
        }
        const auto result = loadText(text);
        // Whatever happened, every diagnostic is well formed.
        for (const auto& d : result.diagnostics) {
            CHECK_FALSE(d.message.empty());
            CHECK(d.location.line >= 0);
        }
        CHECK(result.ok() ==
              !std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                           [](const Diagnostic& d) { return d.severity == Severity::Error; }));
    }
}
