// Data-driven: every file in tests/fixtures/clusters/{bad,good} states the diagnostics it must
// produce in leading comment lines, "# expect: LINE:COL: path: message" (the text after the
// file name; "LINE:COL: warning: path: message" for warnings). The set must match exactly.
#include <algorithm>
#include <filesystem>
#include <set>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace chainvisor::spec;
using namespace chainvisor::spec::test;

namespace {

std::vector<fs::path> fixtures(const std::string& kind) {
    std::vector<fs::path> out;
    for (const auto& entry :
         fs::directory_iterator(sourcePath("tests/fixtures/clusters/" + kind))) {
        if (entry.path().extension() == ".yaml") {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::multiset<std::string> expectations(const std::string& text) {
    std::multiset<std::string> out;
    std::istringstream in(text);
    const std::string marker = "# expect: ";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(marker, 0) == 0) {
            out.insert(line.substr(marker.size()));
        }
    }
    return out;
}

void checkFixture(const fs::path& path, bool good) {
    const auto expected = expectations(readText(path.string()));
    const auto result = loadClusterFile(path, fixtureFiles());
    const auto lines = withoutFile(result);
    const std::multiset<std::string> actual(lines.begin(), lines.end());
    INFO("fixture: " << path.filename().string() << "\nactual diagnostics:\n" << joined(lines));
    CHECK(actual == expected);
    CHECK(result.ok() == good);
    for (const auto& d : result.diagnostics) {
        CHECK(d.file == path.string());
    }
}

}  // namespace

TEST_CASE("Every bad cluster fixture gives exactly its expected diagnostics", "[spec][fixtures]") {
    const auto files = fixtures("bad");
    REQUIRE(files.size() >= 20);
    for (const auto& path : files) {
        DYNAMIC_SECTION(path.filename().string()) {
            REQUIRE_FALSE(expectations(readText(path.string())).empty());
            checkFixture(path, false);
        }
    }
}

TEST_CASE("Every good cluster fixture loads, with exactly its expected warnings",
          "[spec][fixtures]") {
    const auto files = fixtures("good");
    REQUIRE(files.size() >= 3);
    for (const auto& path : files) {
        DYNAMIC_SECTION(path.filename().string()) {
            checkFixture(path, true);
        }
    }
}

TEST_CASE("Bad fixtures each report at least one error, located unless whole-file",
          "[spec][fixtures]") {
    for (const auto& path : fixtures("bad")) {
        const auto result = loadClusterFile(path, fixtureFiles());
        INFO(path.filename().string());
        CHECK_FALSE(result.ok());
        CHECK(std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                          [](const Diagnostic& d) { return d.severity == Severity::Error; }));
    }
}
