// Who may do what, checked against the kernel's credentials of a real client running as
// another user, and the audit log's record of every change asked for.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "root_check.h"
#include "server_harness.h"
#include "test_client.h"

namespace {

using namespace chainvisor::control;
using namespace chainvisor::control::test;
namespace json = boost::json;

UnixSeconds now() {
    return static_cast<UnixSeconds>(std::time(nullptr));
}

std::vector<json::value> auditLines(const std::filesystem::path& dir) {
    std::vector<json::value> lines;
    std::ifstream file(dir / "audit.log");
    for (std::string line; std::getline(file, line);) {
        lines.push_back(json::parse(line));
    }
    return lines;
}

}  // namespace

TEST_CASE("control: anyone who can connect may read, only root and the group may change",
          "[control][peer]") {
    if (!haveRoot("it runs a client as nobody")) {
        return;
    }
    TempDir dir;
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());

    SECTION("the socket's mode keeps other users out") {
        const auto denied = exchangeAsNobody(harness.socket(), "GET", "/v1/status");
        CHECK(denied.connectErrno == EACCES);
    }
    SECTION("with the socket opened up, nobody reads but may not change") {
        REQUIRE(::chmod(harness.socket().c_str(), 0666) == 0);
        const auto read = exchangeAsNobody(harness.socket(), "GET", "/v1/status");
        REQUIRE(read.error.empty());
        CHECK(read.status() == 200);

        const auto change =
            exchangeAsNobody(harness.socket(), "POST", "/v1/pause", R"({"node":"val1"})");
        REQUIRE(change.error.empty());
        CHECK(change.status() == 403);
        CHECK(change.received.find(R"({"error":"permission denied: changing chainvisord is for )"
                                   R"(root)") != std::string::npos);
        CHECK_FALSE(harness.onIo([&] { return harness.apiUnsafe().pausedNodes.contains("val1"); }));

        // The refusal is in the audit log, with who asked.
        const auto lines = auditLines(dir.path());
        REQUIRE(lines.size() == 1);
        const auto& line = lines[0].as_object();
        CHECK(line.at("who") == "nobody");
        CHECK(line.at("uid") == 65534);
        CHECK(line.at("pid").as_int64() > 0);
        CHECK(line.at("action") == "POST /v1/pause");
        CHECK(line.at("outcome") == "refused");
        CHECK(line.at("message").as_string().starts_with("permission denied"));
    }
}

TEST_CASE("control: members of the configured group may change", "[control][peer]") {
    if (!haveRoot("it runs a client as nobody")) {
        return;
    }
    if (!groupId("nogroup")) {
        WARN("skipped: there is no group nogroup");
        return;
    }
    TempDir dir;
    auto options = testOptions(dir.path());
    options.group = "nogroup";  // nobody's own group stands in for chainvisor
    ServerHarness harness(options, FakeControlApi::standard(now()));
    REQUIRE(harness.startError().empty());

    const auto change =
        exchangeAsNobody(harness.socket(), "POST", "/v1/pause", R"({"node":"val1"})");
    REQUIRE(change.error.empty());
    CHECK(change.status() == 200);
    CHECK(harness.onIo([&] { return harness.apiUnsafe().pausedNodes.contains("val1"); }));
}

TEST_CASE("control: every POST is in the audit log, whatever came of it, reads are not",
          "[control][audit]") {
    TempDir dir;
    const bool pool = GENERATE(false, true);
    ServerHarness harness(testOptions(dir.path()), FakeControlApi::standard(now()),
                          ServerHarness::Setup{pool});
    REQUIRE(harness.startError().empty());
    const auto socket = harness.socket();

    CHECK(request(socket, "POST", "/v1/pause", R"({"node":"val1"})").status() == 200);
    CHECK(request(socket, "GET", "/v1/status").status() == 200);
    CHECK(request(socket, "POST", "/v1/resume", R"({"node":"nope"})").status() == 404);
    CHECK(request(socket, "POST", "/v1/reconcile").status() == 200);
    CHECK(request(socket, "POST", "/v1/pause", std::string(70000, 'x')).status() == 413);
    harness.onIo([&] { harness.apiUnsafe().reloadProblem = "bad file"; });
    CHECK(request(socket, "POST", "/v1/reload").status() == 422);

    struct stat st {};
    REQUIRE(::stat((dir.path() / "audit.log").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);

    const auto lines = auditLines(dir.path());
    REQUIRE(lines.size() == 5);
    const auto& first = lines[0].as_object();
    CHECK(first.at("time").as_string().ends_with("Z"));
    CHECK(std::string(first.at("who").as_string()) == userName(::geteuid()));
    CHECK(first.at("uid") == ::geteuid());
    CHECK(first.at("pid") == ::getpid());
    CHECK(first.at("action") == "POST /v1/pause");
    CHECK(first.at("node") == "val1");
    CHECK(first.at("outcome") == "ok");
    CHECK(first.at("message") == "paused val1");

    CHECK(lines[1].at("action") == "POST /v1/resume");
    CHECK(lines[1].at("node") == "nope");
    CHECK(lines[1].at("outcome") == "error");
    CHECK(lines[1].at("message") == "no node 'nope' in the spec");
    CHECK(lines[2].at("message") == "pass 1 requested");
    CHECK(lines[3].at("outcome") == "error");
    CHECK(lines[3].at("message") == "request body too large (at most 65536 bytes)");
    CHECK(lines[4].at("action") == "POST /v1/reload");
    CHECK(lines[4].at("outcome") == "error");
    CHECK(lines[4].at("message") == "reload refused: bad file; still running the previous spec");
}
