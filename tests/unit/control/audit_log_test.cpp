// The audit log on its own: the line format, the file's mode, whole lines under concurrency.
#include "control/audit_log.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>
#include <vector>

#include "server_harness.h"

namespace {

using namespace chainvisor::control;
using chainvisor::control::test::TempDir;

std::vector<std::string> readLines(const std::filesystem::path& path) {
    std::vector<std::string> lines;
    std::ifstream file(path);
    for (std::string line; std::getline(file, line);) {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

TEST_CASE("audit: a record is one JSON line with an RFC 3339 UTC time", "[control][audit]") {
    AuditRecord record;
    record.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564803250));
    record.who = "alice";
    record.uid = 1000;
    record.pid = 4242;
    record.action = "POST /v1/pause";
    record.node = "val1";
    record.outcome = AuditOutcome::Refused;
    record.message = "permission denied";
    CHECK(auditLine(record) ==
          R"({"time":"2024-05-01T12:00:03.250Z","who":"alice","uid":1000,"pid":4242,)"
          R"("action":"POST /v1/pause","node":"val1","outcome":"refused",)"
          R"("message":"permission denied"})");

    SECTION("the daemon's own actions have no uid or pid") {
        AuditRecord own;
        own.time = record.time;
        own.who = "chainvisord";
        own.action = "StartContainer";
        own.node = "val1";
        own.message = "vmid 101 on pve1";
        CHECK(auditLine(own) == R"({"time":"2024-05-01T12:00:03.250Z","who":"chainvisord",)"
                                R"("action":"StartContainer","node":"val1","outcome":"ok",)"
                                R"("message":"vmid 101 on pve1"})");
    }
    SECTION("newlines and quotes cannot break the line; long texts are cut") {
        AuditRecord odd;
        odd.message = std::string("a\nb\"c") + std::string(5000, 'x');
        const auto line = auditLine(odd);
        CHECK(line.find('\n') == std::string::npos);
        CHECK(line.size() < 2300);
        const auto parsed = boost::json::parse(line);
        CHECK(parsed.at("message").as_string().starts_with("a\nb\"c"));
    }
}

TEST_CASE("audit: the file is created 0640, a looser one is tightened, records append",
          "[control][audit]") {
    TempDir dir;
    const auto path = dir.path() / "audit.log";
    std::ofstream(path) << "{\"earlier\":true}\n";
    ::chmod(path.c_str(), 0644);

    std::string error;
    auto log = AuditLog::open(path, error);
    REQUIRE(log);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);

    AuditRecord record;
    record.who = "chainvisord";
    record.action = "CreateContainer";
    CHECK(log->record(record).empty());
    const auto lines = readLines(path);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "{\"earlier\":true}");
    // A record without a time gets the time of writing.
    const auto written = boost::json::parse(lines[1]);
    CHECK(written.at("time").as_string().size() == 24);
    CHECK_FALSE(written.at("time").as_string().starts_with("1970"));
}

TEST_CASE("audit: an unwritable place is an error that names the file", "[control][audit]") {
    std::string error;
    auto log = AuditLog::open("/nonexistent-dir/audit.log", error);
    CHECK_FALSE(log);
    CHECK(error == "cannot open audit log /nonexistent-dir/audit.log: No such file or directory");
}

TEST_CASE("audit: records from many threads stay whole lines", "[control][audit]") {
    TempDir dir;
    std::string error;
    auto log = AuditLog::open(dir.path() / "audit.log", error);
    REQUIRE(log);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                AuditRecord record;
                record.who = "chainvisord";
                record.action = "thread " + std::to_string(t);
                record.message = std::string(300, static_cast<char>('a' + t));
                log->record(record);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const auto lines = readLines(dir.path() / "audit.log");
    REQUIRE(lines.size() == 100);
    for (const auto& line : lines) {
        CHECK_NOTHROW(boost::json::parse(line));
    }
}
