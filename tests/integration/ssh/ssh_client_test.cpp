// SshClient against a real OpenSSH server on 127.0.0.1 (sshd_fixture.h), as root: commands and
// their streams, hostile arguments, the connection pool, host keys, authentication, a server
// killed under a command, deadlines. Skips with a warning when not root or without sshd,
// unless CHAINVISOR_REQUIRE_ALL=1.
#include "net/ssh_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "eventually.h"
#include "sshd_fixture.h"
#include "tcp_relay.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using chainvisor::net::RemoteCommand;
using chainvisor::net::RemoteOutcome;
using chainvisor::net::SshClient;
using chainvisor::net::SshOptions;
using chainvisor::net::test::runLocal;
using chainvisor::net::test::SshdFixture;
using chainvisor::net::test::TcpRelay;
using Clock = std::chrono::steady_clock;
using chainvisor::test::eventually;

bool requireAll() {
    const char* v = std::getenv("CHAINVISOR_REQUIRE_ALL");
    return v != nullptr && std::string(v) == "1";
}

#define SKIP_WITHOUT_SSHD()                                              \
    do {                                                                 \
        if (auto why = chainvisor::net::test::missingSshRequirement()) { \
            if (requireAll()) {                                          \
                FAIL("SSH integration test cannot run: " << *why);       \
            }                                                            \
            WARN("skipped: SSH integration test " << *why);              \
            return;                                                      \
        }                                                                \
    } while (0)

RemoteCommand command(std::vector<std::string> argv, std::chrono::milliseconds deadline = 20s) {
    RemoteCommand c;
    c.argv = std::move(argv);
    c.deadline = deadline;
    return c;
}

// The outcome must be a command that ran: says why not otherwise.
void requireRan(const RemoteOutcome& r) {
    INFO("error: " << r.error);
    INFO("stderr: " << r.err);
    REQUIRE(r.ok());
}

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string nulJoined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += v;
        out += '\0';
    }
    return out;
}

// Every byte value but NUL, a few times over, in an awkward length.
std::string binaryish(std::size_t size) {
    std::string out;
    out.reserve(size);
    for (std::size_t i = 0; i < size; ++i) {
        out += static_cast<char>((i * 7 + i / 251) % 256);
    }
    return out;
}

const auto kStart = Clock::now();

struct Timing {
    ~Timing() {
        std::cout << "[timing] SSH integration tests so far: " << secondsSince(kStart) << " s"
                  << std::endl;
    }
};

}  // namespace

TEST_CASE("ssh: exit codes, stdout and stderr, a signal", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());
    CHECK(client.target() == sshd.user() + "@127.0.0.1:" + std::to_string(sshd.port()));

    auto ok = client.run(command({"true"}));
    requireRan(ok);
    CHECK(ok.exitCode == 0);
    CHECK(ok.exitSignal.empty());
    CHECK(ok.out.empty());

    auto three = client.run(command({"sh", "-c", "echo out; echo err >&2; exit 3"}));
    requireRan(three);
    CHECK(three.exitCode == 3);
    CHECK(three.out == "out\n");
    CHECK(three.err == "err\n");
    CHECK_FALSE(three.truncated);

    auto killed = client.run(command({"sh", "-c", "echo before; kill -KILL $$"}));
    requireRan(killed);
    CHECK(killed.exitSignal == "KILL");
    CHECK(killed.exitCode == -1);
    CHECK(killed.out == "before\n");

    auto missing = client.run(command({"chainvisor-no-such-program"}));
    requireRan(missing);
    CHECK(missing.exitCode == 127);
    CHECK_THAT(missing.err, Contains("not found"));

    // All of that over one connection.
    CHECK(client.connectionsOpened() == 1);
    CHECK(sshd.acceptedLogins() == 1);
}

TEST_CASE("ssh: stdin arrives exactly, large and binary", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());

    SECTION("echoed back by cat while it is still being written (3 MiB + a bit)") {
        auto c = command({"cat"});
        c.input = binaryish(3 * 1024 * 1024 + 12345);
        c.maxOutput = 8 * 1024 * 1024;
        const auto r = client.run(c);
        requireRan(r);
        CHECK(r.exitCode == 0);
        CHECK(r.out.size() == c.input.size());
        CHECK(r.out == c.input);
        CHECK_FALSE(r.truncated);
    }
    SECTION("counted and hashed on the other side (5 MiB)") {
        auto c = command({"sh", "-c", "wc -c; echo; cat /dev/null"});
        c.input = binaryish(5 * 1024 * 1024 + 1);
        const auto r = client.run(c);
        requireRan(r);
        CHECK(r.out == std::to_string(c.input.size()) + "\n\n");
    }
    SECTION("a few bytes, with NUL and no final newline") {
        auto c = command({"od", "-An", "-tx1"});
        c.input = std::string("a\0b\xff\n\r", 6);
        const auto r = client.run(c);
        requireRan(r);
        CHECK(r.out == " 61 00 62 ff 0a 0d\n");
    }
    SECTION("a command that does not read its input still finishes") {
        auto c = command({"sh", "-c", "exit 4"});
        c.input = binaryish(4 * 1024 * 1024);
        const auto r = client.run(c);
        requireRan(r);
        CHECK(r.exitCode == 4);
    }
    SECTION("then the connection is still good") {
        requireRan(client.run(command({"true"})));
        requireRan(client.run(command({"true"})));
        CHECK(client.connectionsOpened() == 1);
    }
}

TEST_CASE("ssh: a path that stalls mid-transfer: half-sent packets, exact bytes both ways",
          "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    TcpRelay relay(sshd.port());
    std::istringstream pub(readFile(sshd.hostKeyPub()));
    std::string type, key;
    pub >> type >> key;
    std::ofstream(sshd.knownHosts())
        << "[127.0.0.1]:" << relay.port() << " " << type << " " << key << "\n";
    auto options = sshd.clientOptions();
    options.port = relay.port();
    SshClient client(options);
    requireRan(client.run(command({"true"})));
    // Little room in the client's socket: with the relay paused, a 32 KiB SSH packet no longer
    // fits, libssh2 keeps it half-sent, and only the call that started it may send next (the
    // client's window adjustments included). Checked with instrumented builds: both the input
    // writes and the reads' window adjustments are left half-sent here, many times over.
    REQUIRE(chainvisor::net::test::shrinkSendBufferTo(relay.port(), 4096));

    std::atomic<bool> done{false};
    // Creates the stalls; nothing waits on it.
    std::thread stalls([&] {
        while (!done) {
            relay.pause(true);
            std::this_thread::sleep_for(100ms);
            relay.pause(false);
            std::this_thread::sleep_for(30ms);
        }
    });
    auto c = command({"cat"}, 60s);
    c.input = binaryish(6 * 1024 * 1024 + 7);
    c.maxOutput = c.input.size();
    const auto r = client.run(c);
    done = true;
    stalls.join();
    requireRan(r);
    CHECK(r.exitCode == 0);
    CHECK(r.out.size() == c.input.size());
    CHECK(r.out == c.input);
    CHECK_FALSE(r.truncated);
    CHECK(client.connectionsOpened() == 1);
}

TEST_CASE("ssh: output beyond maxOutput is dropped and flagged", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());

    auto c = command({"sh", "-c", "head -c 3000000 /dev/zero; head -c 5000 /dev/zero >&2; exit 7"});
    c.maxOutput = 1000;
    const auto r = client.run(c);
    requireRan(r);
    CHECK(r.exitCode == 7);
    CHECK(r.out == std::string(1000, '\0'));
    CHECK(r.err == std::string(1000, '\0'));
    CHECK(r.truncated);

    auto small = command({"echo", "fits"});
    small.maxOutput = 1000;
    const auto s = client.run(small);
    requireRan(s);
    CHECK(s.out == "fits\n");
    CHECK_FALSE(s.truncated);
    CHECK(client.connectionsOpened() == 1);
}

TEST_CASE("ssh: hostile argument values arrive byte for byte", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());

    std::string allBytes;
    for (int b = 1; b < 256; ++b) {
        allBytes += static_cast<char>(b);
    }
    const std::vector<std::string> values{"plain",       "two words",
                                          "it's",        "\"double\"",
                                          "$HOME",       "${PATH}",
                                          "`id`",        "$(id)",
                                          "a;b&&c||d|e", "line1\nline2\n",
                                          "*",           "?",
                                          "[a-z]*",      "-n",
                                          "--",          "",
                                          "'",           "''",
                                          "\\",          "\\'",
                                          "~root",       "!!",
                                          "\t\r\v",      "a'b\"c$d`e\\f",
                                          "é ü 日本",    "#comment",
                                          "> /tmp/x",    allBytes};
    std::vector<std::string> argv{"printf", "%s\\0"};
    argv.insert(argv.end(), values.begin(), values.end());
    const auto r = client.run(command(argv));
    requireRan(r);
    CHECK(r.exitCode == 0);
    CHECK(r.out == nulJoined(values));
    CHECK(r.err.empty());

    const auto nul = client.run(command({"printf", std::string("a\0b", 3)}));
    CHECK_FALSE(nul.ok());
    CHECK(nul.permanent);
    CHECK_THAT(nul.error, Contains("NUL"));
}

TEST_CASE("ssh: 8 threads share 2 connections", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    auto options = sshd.clientOptions();
    options.maxSessions = 2;
    SshClient client(options);

    constexpr int kThreads = 8;
    constexpr int kRounds = 5;
    std::vector<std::string> failures(kThreads);
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                const std::string tag = std::to_string(t) + "." + std::to_string(round);
                auto c = command({"sh", "-c", "sleep 0.05; cat; echo \" $1\"", "sh", tag});
                c.input = "in" + tag;
                const auto r = client.run(c);
                if (!r.ok() || r.exitCode != 0 || r.out != "in" + tag + " " + tag + "\n") {
                    failures[t] = tag + ": " + r.error + " / " + r.out;
                    return;
                }
                ++good;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    for (const auto& f : failures) {
        CHECK(f.empty());
    }
    CHECK(good == kThreads * kRounds);
    CHECK(client.connectionsOpened() == 2);
    CHECK(sshd.acceptedLogins() == 2);
    CHECK(client.idleConnections() == 2);
}

TEST_CASE("ssh: beyond maxSessions a command waits, within its deadline", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    auto options = sshd.clientOptions();
    options.maxSessions = 1;
    SshClient client(options);

    RemoteOutcome slow;
    std::thread holder([&] { slow = client.run(command({"sleep", "2"})); });
    REQUIRE(eventually([&] { return !sshd.processesNamed("sleep").empty(); }, 10s));
    const auto start = Clock::now();
    const auto waited = client.run(command({"echo", "secret-arg"}, 300ms));
    const double took = secondsSince(start);
    holder.join();
    requireRan(slow);
    INFO(waited.error);
    CHECK(waited.timedOut);
    CHECK_FALSE(waited.permanent);
    CHECK_THAT(
        waited.error,
        Contains("echo: timed out after 300 ms waiting for a free connection (all 1 in use)"));
    CHECK(waited.error.find("secret-arg") == std::string::npos);
    CHECK(took < 1.5);
    // The one connection served both.
    requireRan(client.run(command({"true"})));
    CHECK(client.connectionsOpened() == 1);
}

TEST_CASE("ssh: a server that never answers: connectTimeout, or the command's deadline",
          "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;  // for its directory and key; the silent listener stands in for sshd
    const int silent = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    REQUIRE(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(silent, 16) == 0);  // the kernel completes connects; nobody says a word
    REQUIRE(::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    struct Close {
        int fd;
        ~Close() { ::close(fd); }
    } closeSilent{silent};

    auto options = sshd.clientOptions();
    options.port = ntohs(address.sin_port);
    options.connectTimeout = 300ms;
    SshClient client(options);
    auto start = Clock::now();
    const auto capped = client.run(command({"true"}, 20s));
    CHECK(secondsSince(start) < 1.5);
    INFO(capped.error);
    CHECK_FALSE(capped.timedOut);  // the command's deadline did not pass
    CHECK_FALSE(capped.permanent);
    CHECK_THAT(capped.error, Contains(": SSH handshake: timed out after 300 ms"));

    options.connectTimeout = 10s;
    SshClient patient(options);
    start = Clock::now();
    const auto cut = patient.run(command({"true"}, 200ms));
    CHECK(secondsSince(start) < 1.5);
    INFO(cut.error);
    CHECK(cut.timedOut);
    CHECK_THAT(cut.error, Contains(": true: timed out after 200 ms during the SSH handshake"));
}

TEST_CASE("ssh: keep-alives reach the server while idle and under a long command",
          "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    auto options = sshd.clientOptions();
    options.keepalive = 1s;  // libssh2 makes that 2 s
    SshClient client(options);
    auto keepalives = [&] {
        const std::string log = sshd.log();
        int count = 0;
        for (auto at = log.find("keepalive@libssh2.org"); at != std::string::npos;
             at = log.find("keepalive@libssh2.org", at + 1)) {
            ++count;
        }
        return count;
    };
    requireRan(client.run(command({"true"})));
    CHECK(eventually([&] { return keepalives() >= 1; }, 10s));
    const int before = keepalives();
    requireRan(client.run(command({"sleep", "3"})));
    CHECK(keepalives() > before);
    CHECK(client.connectionsOpened() == 1);
}

TEST_CASE("ssh: an unknown host key is refused with its fingerprint", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;  // known_hosts does not exist
    SshClient client(sshd.clientOptions());
    const auto r = client.run(command({"true"}));
    REQUIRE_FALSE(r.ok());
    INFO(r.error);
    CHECK(r.permanent);
    CHECK_FALSE(r.timedOut);
    const std::string port = std::to_string(sshd.port());
    CHECK_THAT(r.error, Contains("ssh " + sshd.user() + "@127.0.0.1:" + port + ": "));
    CHECK_THAT(r.error, Contains("[127.0.0.1]:" + port));
    CHECK_THAT(r.error, Contains("ssh-ed25519 key " + sshd.hostKeyFingerprint()));
    CHECK_THAT(r.error, Contains("unknown"));
    CHECK_THAT(r.error, Contains("ssh-keyscan -p " + port + " -t ed25519 127.0.0.1 >> " +
                                 sshd.knownHosts().string()));
    CHECK(sshd.acceptedLogins() == 0);
    CHECK_FALSE(fs::exists(sshd.knownHosts()));

    // Another host's key in the file changes nothing.
    std::ofstream(sshd.knownHosts()) << "[127.0.0.1]:1 " << readFile(sshd.hostKeyPub());
    const auto again = client.run(command({"true"}));
    CHECK_FALSE(again.ok());
    CHECK(again.permanent);
    CHECK_THAT(again.error, Contains("unknown"));
}

TEST_CASE("ssh: a changed host key is refused", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    {
        SshClient client(sshd.clientOptions());
        requireRan(client.run(command({"true"})));
    }
    const std::string oldFingerprint = sshd.hostKeyFingerprint();
    sshd.stop();
    sshd.replaceHostKey();
    sshd.start();
    REQUIRE(sshd.hostKeyFingerprint() != oldFingerprint);

    for (const bool tofu : {false, true}) {
        auto options = sshd.clientOptions();
        options.trustOnFirstUse = tofu;
        SshClient client(options);
        const auto r = client.run(command({"true"}));
        REQUIRE_FALSE(r.ok());
        INFO(r.error);
        CHECK(r.permanent);
        CHECK_THAT(r.error, Contains("CHANGED"));
        CHECK_THAT(r.error, Contains(sshd.hostKeyFingerprint()));
        CHECK_THAT(r.error, Contains("man-in-the-middle"));
        CHECK_THAT(r.error, Contains("ssh-keygen -R '[127.0.0.1]:" + std::to_string(sshd.port())));
    }
    CHECK(sshd.acceptedLogins() == 1);
}

TEST_CASE("ssh: trust on first use, then strict", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    auto options = sshd.clientOptions();
    options.trustOnFirstUse = true;
    {
        SshClient client(options);
        requireRan(client.run(command({"true"})));
    }
    REQUIRE(fs::exists(sshd.knownHosts()));
    struct stat st {};
    REQUIRE(::stat(sshd.knownHosts().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    std::istringstream pub(readFile(sshd.hostKeyPub()));
    std::string type, key;
    pub >> type >> key;
    const std::string entry = "[127.0.0.1]:" + std::to_string(sshd.port());
    CHECK(readFile(sshd.knownHosts()) == entry + " " + type + " " + key + "\n");
    // OpenSSH reads what was written.
    const auto found = runLocal({"ssh-keygen", "-F", entry, "-f", sshd.knownHosts().string()});
    CHECK(found.exitCode == 0);

    options.trustOnFirstUse = false;
    SshClient strict(options);
    requireRan(strict.run(command({"true"})));
    // Trusting again adds nothing.
    options.trustOnFirstUse = true;
    SshClient again(options);
    requireRan(again.run(command({"true"})));
    CHECK(readFile(sshd.knownHosts()) == entry + " " + type + " " + key + "\n");
}

TEST_CASE("ssh: hashed known_hosts entries and lines libssh2 cannot parse", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    REQUIRE(runLocal({"ssh-keygen", "-H", "-f", sshd.knownHosts().string()}).exitCode == 0);
    const std::string hashed = readFile(sshd.knownHosts());
    REQUIRE(hashed.rfind("|1|", 0) == 0);
    std::ofstream(sshd.knownHosts())
        << "# a comment\n\n"
        << "@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbogus\n"
        << "other.example sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t\n"
        << "short x\n"
        << hashed;
    SshClient client(sshd.clientOptions());
    requireRan(client.run(command({"true"})));
}

TEST_CASE("ssh: a revoked host key is refused", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    std::ofstream(sshd.knownHosts(), std::ios::app) << "@revoked * " << readFile(sshd.hostKeyPub());
    SshClient client(sshd.clientOptions());
    const auto r = client.run(command({"true"}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK_THAT(r.error, Contains("@revoked"));
}

TEST_CASE("ssh: a key the server does not accept is refused, permanently", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    const fs::path other = sshd.dir() / "other_ed25519";
    REQUIRE(
        runLocal({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.string()}).exitCode ==
        0);
    auto options = sshd.clientOptions();
    options.keyFile = other.string();
    SshClient client(options);
    const auto r = client.run(command({"true"}));
    REQUIRE_FALSE(r.ok());
    INFO(r.error);
    CHECK(r.permanent);
    CHECK_FALSE(r.timedOut);
    CHECK_THAT(r.error, Contains("ssh " + sshd.user() + "@127.0.0.1:" +
                                 std::to_string(sshd.port()) + ": authentication: "));
    CHECK_THAT(r.error, Contains("refused the key " + other.string()));
    CHECK_THAT(r.error, Contains("for user " + sshd.user()));
    // Nothing of the key itself.
    const std::string privateKey = readFile(other);
    const std::string body = privateKey.substr(privateKey.find('\n') + 1, 40);
    CHECK(r.error.find(body) == std::string::npos);

    options.keyFile = (sshd.dir() / "no_such_key").string();
    SshClient missing(options);
    const auto m = missing.run(command({"true"}));
    CHECK(m.permanent);
    CHECK_THAT(m.error, Contains("cannot read the key file " + options.keyFile));
}

TEST_CASE("ssh: an RSA key is signed with ssh-rsa, which OpenSSH 9 refuses: the error says so",
          "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    const fs::path rsa = sshd.dir() / "id_rsa";
    REQUIRE(runLocal({"ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa.string()})
                .exitCode == 0);
    std::ofstream(sshd.dir() / "authorized_keys", std::ios::app) << readFile(rsa.string() + ".pub");
    auto options = sshd.clientOptions();
    options.keyFile = rsa.string();
    SshClient client(options);
    const auto r = client.run(command({"true"}));
    if (r.ok()) {
        WARN("this sshd accepts ssh-rsa signatures: the libssh2 RSA limitation does not show");
        return;
    }
    INFO(r.error);
    CHECK(r.permanent);
    CHECK_THAT(r.error, Contains("refused the key " + rsa.string()));
    CHECK_THAT(r.error, Contains("libssh2 1.10 signs RSA keys with ssh-rsa (SHA-1)"));
    CHECK_THAT(r.error, Contains("use an ed25519 key"));
}

TEST_CASE("ssh: keys from the agent", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    const std::string socket = (sshd.dir() / "agent.sock").string();
    const auto started = runLocal({"ssh-agent", "-s", "-a", socket});
    REQUIRE(started.exitCode == 0);
    const auto at = started.out.find("SSH_AGENT_PID=");
    REQUIRE(at != std::string::npos);
    const pid_t agentPid = std::stoi(started.out.substr(at + 14));
    struct StopAgent {
        pid_t pid;
        ~StopAgent() {
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);  // this process's child: the fixture is a subreaper
            ::unsetenv("SSH_AUTH_SOCK");
        }
    } stopAgent{agentPid};
    ::setenv("SSH_AUTH_SOCK", socket.c_str(), 1);

    auto options = sshd.clientOptions();
    options.useAgent = true;
    options.keyFile.clear();
    {
        SshClient empty(options);
        const auto r = empty.run(command({"true"}));
        REQUIRE_FALSE(r.ok());
        CHECK(r.permanent);
        CHECK_THAT(r.error, Contains("holds no key"));
    }
    REQUIRE(runLocal({"ssh-add", "-q", sshd.userKey().string()}).exitCode == 0);
    SshClient client(options);
    const auto r = client.run(command({"echo", "via agent"}));
    requireRan(r);
    CHECK(r.out == "via agent\n");
}

TEST_CASE("ssh: sshd killed under a command, then back: the next run reconnects",
          "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());
    requireRan(client.run(command({"true"})));

    RemoteOutcome during;
    Clock::time_point returned;
    std::thread running([&] {
        during = client.run(command({"sleep", "30"}, 60s));
        returned = Clock::now();
    });
    const bool sleeping = eventually([&] { return !sshd.processesNamed("sleep").empty(); }, 10s);
    const auto killedAt = Clock::now();
    sshd.stop();
    running.join();
    REQUIRE(sleeping);
    INFO(during.error);
    CHECK_FALSE(during.ok());
    CHECK_FALSE(during.permanent);
    CHECK_FALSE(during.timedOut);
    CHECK_THAT(during.error, Contains("sleep: connection lost while running"));
    CHECK(std::chrono::duration<double>(returned - killedAt).count() < 5.0);
    CHECK(client.idleConnections() == 0);

    // Down: a clear, quick, transient error.
    const auto down = client.run(command({"true"}));
    CHECK_FALSE(down.ok());
    CHECK_FALSE(down.permanent);
    CHECK_THAT(down.error, Contains("connect: Connection refused"));

    sshd.start();
    const auto after = client.run(command({"echo", "back"}));
    requireRan(after);
    CHECK(after.out == "back\n");
    CHECK(client.connectionsOpened() == 2);
}

TEST_CASE("ssh: a kept connection the server dropped is replaced without an error",
          "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());
    requireRan(client.run(command({"true"})));
    REQUIRE(client.idleConnections() == 1);
    sshd.stop();
    sshd.start();
    const auto r = client.run(command({"echo", "again"}));
    requireRan(r);
    CHECK(r.out == "again\n");
    CHECK(client.connectionsOpened() == 2);
}

TEST_CASE("ssh: a command past its deadline is cut off", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    SshClient client(sshd.clientOptions());
    requireRan(client.run(command({"true"})));

    const std::string secret = "s3cr3t-argument-value";
    auto c = command({"sh", "-c", "echo started; sleep 30", secret}, 500ms);
    c.input = "secret-input-value";
    const auto start = Clock::now();
    const auto r = client.run(c);
    const double took = secondsSince(start);
    INFO(r.error);
    CHECK_FALSE(r.ok());
    CHECK(r.timedOut);
    CHECK_FALSE(r.permanent);
    CHECK_THAT(r.error, Contains("sh: timed out after 500 ms while running"));
    CHECK(r.error.find(secret) == std::string::npos);
    CHECK(r.error.find("secret-input") == std::string::npos);
    CHECK(r.out == "started\n");
    CHECK(took >= 0.5);
    CHECK(took < 2.0);

    // The cut connection was dropped; the next command gets a fresh one.
    const auto next = client.run(command({"true"}));
    requireRan(next);
    CHECK(client.connectionsOpened() == 2);

    // A deadline that passes while connecting says so.
    SshClient fresh(sshd.clientOptions());
    const auto early = fresh.run(command({"true"}, 1ms));
    CHECK(early.timedOut);
    CHECK_THAT(early.error, Contains("true: timed out after 1 ms "));
}

TEST_CASE("ssh: nothing listening fails fast and clearly", "[integration][ssh]") {
    SKIP_WITHOUT_SSHD();
    Timing timing;
    SshdFixture sshd;
    sshd.trustHostKey();
    const int port = sshd.port();
    sshd.stop();
    SshClient client(sshd.clientOptions());
    const auto start = Clock::now();
    const auto r = client.run(command({"true"}));
    CHECK(secondsSince(start) < 1.0);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.permanent);
    CHECK_FALSE(r.timedOut);
    CHECK(r.error == "ssh " + sshd.user() + "@127.0.0.1:" + std::to_string(port) +
                         ": connect: Connection refused");

    // And a name that does not resolve.
    auto options = sshd.clientOptions();
    options.host = "no-such-host.invalid";
    SshClient nowhere(options);
    const auto n = nowhere.run(command({"true"}));
    CHECK_FALSE(n.ok());
    CHECK_THAT(n.error, Contains("cannot resolve no-such-host.invalid"));
}
