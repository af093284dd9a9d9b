// The audit log: who asked the daemon to change what, and what came of it. One JSON object per
// line, appended (O_APPEND) and fsync'ed per record, so a line is either whole on disk or absent
// and a crash loses nothing that was acknowledged. Operators' control requests and the daemon's
// own actions go through the same record(), so one file tells the whole story.
//
//   {"time":"2024-05-01T12:00:03.250Z","who":"alice","uid":1000,"pid":4242,
//    "action":"POST /v1/pause","node":"val1","outcome":"ok","message":""}
//
// Never put a secret in a record: messages are free text written as given.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::control {

inline constexpr std::string_view kAuditFileName = "audit.log";  // in the state directory

enum class AuditOutcome {
    Ok,       // done
    Refused,  // not allowed (permissions, shutting down): nothing was attempted
    Error,    // attempted or asked for, and it failed
};

std::string_view toString(AuditOutcome outcome);

struct AuditRecord {
    std::chrono::system_clock::time_point time{};  // left at the epoch: the time of record()
    std::string who;                   // the peer's user name, or "chainvisord" for its actions
    std::optional<std::uint32_t> uid;  // the peer's, for control requests
    std::optional<std::int32_t> pid;
    std::string action;  // "POST /v1/pause", "StartContainer"
    std::string node;    // empty when not about one node
    AuditOutcome outcome = AuditOutcome::Ok;
    std::string message;  // why refused, the error, or what was done
};

// The line written for a record (without the newline). Long texts are cut, so one record
// cannot grow the file without bound.
std::string auditLine(const AuditRecord& record);

class AuditLog {
public:
    // Opens (creating with mode 0640) `path` for appending. nullptr and `error` set on failure.
    static std::unique_ptr<AuditLog> open(const std::filesystem::path& path, std::string& error);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Appends one line and fsyncs it. Thread-safe; blocking (a disk flush), so the io thread
    // hands it to the blocking pool. Returns "" or what failed.
    std::string record(AuditRecord record);

    const std::filesystem::path& path() const { return path_; }

private:
    AuditLog(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}

    const std::filesystem::path path_;
    std::mutex mutex_;
    int fd_;
};

}  // namespace chainvisor::control
