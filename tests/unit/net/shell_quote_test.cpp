// shellQuote/shellCommand against real shells: hostile values must reach the program byte for
// byte. The quoted command line runs under `sh -c` (dash on Debian) and bash, as a remote
// user's shell would run it, with printf '%s\0' echoing each argument back.
#include "net/shell_quote.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "os/process.h"

namespace {

using chainvisor::net::shellCommand;
using chainvisor::net::shellQuote;

std::string nulJoined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += v;
        out += '\0';
    }
    return out;
}

// What `shell -c <line>` prints.
std::string runUnder(const std::string& shell, const std::string& line) {
    chainvisor::os::SystemProcessRunner runner;
    chainvisor::os::ProcessOptions options;
    options.deadline = std::chrono::seconds(20);
    const auto r = runner.run({shell, "-c", line}, options);
    INFO(shell << " stderr: " << r.err);
    REQUIRE(r.exitCode == 0);
    return r.out;
}

std::vector<std::string> hostileValues() {
    std::string allBytes;
    for (int b = 1; b < 256; ++b) {
        allBytes += static_cast<char>(b);
    }
    return {"plain",
            "two words",
            "  leading and trailing  ",
            "it's",
            "'",
            "''",
            "'''",
            "\"double\"",
            "$HOME",
            "${PATH:-x}",
            "$(id)",
            "`id`",
            "a;b",
            "a && b || c | d & e",
            "line1\nline2\n",
            "\n",
            "*",
            "?",
            "[a-z]*",
            "-n",
            "-e",
            "--",
            "",
            "\\",
            "\\'",
            "'\\''",
            "~root",
            "!!",
            "#not a comment",
            "> /tmp/chainvisor-shell-quote-must-not-exist",
            "\t\r\v\f",
            "a'b\"c$d`e\\f",
            "é ü 日本",
            allBytes};
}

}  // namespace

TEST_CASE("shellQuote: a single quote is closed, escaped and reopened", "[net][shell]") {
    CHECK(shellQuote("") == "''");
    CHECK(shellQuote("plain") == "'plain'");
    CHECK(shellQuote("it's") == "'it'\\''s'");
    CHECK(shellQuote("$x `y`") == "'$x `y`'");
}

TEST_CASE("shellCommand: refuses what no command line can carry", "[net][shell]") {
    CHECK_THROWS_AS(shellCommand({}), std::invalid_argument);
    CHECK_THROWS_AS(shellCommand({""}), std::invalid_argument);
    CHECK_THROWS_AS(shellCommand({"printf", std::string("a\0b", 3)}), std::invalid_argument);
    CHECK(shellCommand({"pct", "exec", "101", "--", "a b"}) == "'pct' 'exec' '101' '--' 'a b'");
}

TEST_CASE("shellCommand: hostile values round-trip through a real shell", "[net][shell]") {
    const auto values = hostileValues();
    std::vector<std::string> argv{"printf", "%s\\0"};
    argv.insert(argv.end(), values.begin(), values.end());
    const std::string line = shellCommand(argv);

    std::vector<std::string> shells{"/bin/sh"};
    if (::access("/bin/bash", X_OK) == 0) {
        shells.emplace_back("/bin/bash");  // Proxmox's root shell
    }
    for (const auto& shell : shells) {
        INFO("shell: " << shell);
        CHECK(runUnder(shell, line) == nulJoined(values));
    }
    CHECK(::access("/tmp/chainvisor-shell-quote-must-not-exist", F_OK) != 0);
}

TEST_CASE("shellCommand: each value alone, also as the program's only argument", "[net][shell]") {
    for (const auto& value : hostileValues()) {
        INFO("value bytes: " << value.size());
        CHECK(runUnder("/bin/sh", shellCommand({"printf", "%s\\0", value})) ==
              std::string(value) + '\0');
    }
}
