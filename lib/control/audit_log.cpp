#include "control/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

#include "control/rfc3339.h"

namespace chainvisor::control {
namespace {

constexpr std::size_t kMaxText = 2048;
constexpr mode_t kMode = 0640;

std::string cut(std::string_view text) {
    if (text.size() <= kMaxText) {
        return std::string(text);
    }
    return std::string(text.substr(0, kMaxText)) + "…";
}

std::string failure(std::string_view what, const std::filesystem::path& path) {
    return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

}  // namespace

std::string_view toString(AuditOutcome outcome) {
    switch (outcome) {
        case AuditOutcome::Ok:
            return "ok";
        case AuditOutcome::Refused:
            return "refused";
        case AuditOutcome::Error:
            return "error";
    }
    return "?";
}

std::string auditLine(const AuditRecord& record) {
    boost::json::object line;
    line["time"] = formatRfc3339(record.time, Precision::Milliseconds);
    line["who"] = cut(record.who);
    if (record.uid) {
        line["uid"] = *record.uid;
    }
    if (record.pid) {
        line["pid"] = *record.pid;
    }
    line["action"] = cut(record.action);
    line["node"] = cut(record.node);
    line["outcome"] = toString(record.outcome);
    line["message"] = cut(record.message);
    return boost::json::serialize(line);
}

std::unique_ptr<AuditLog> AuditLog::open(const std::filesystem::path& path, std::string& error) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, kMode);
    if (fd < 0) {
        error = failure("cannot open audit log", path);
        return nullptr;
    }
    // An existing file keeps its content but not a looser mode: the log names users and nodes.
    struct stat st {};
    if (::fstat(fd, &st) != 0 || ((st.st_mode & 07777) != kMode && ::fchmod(fd, kMode) != 0)) {
        error = failure("cannot set mode 0640 on audit log", path);
        ::close(fd);
        return nullptr;
    }
    return std::unique_ptr<AuditLog>(new AuditLog(path, fd));
}

AuditLog::~AuditLog() {
    ::close(fd_);
}

std::string AuditLog::record(AuditRecord record) {
    if (record.time == std::chrono::system_clock::time_point{}) {
        record.time = std::chrono::system_clock::now();
    }
    const std::string line = auditLine(record) + "\n";
    std::lock_guard lock(mutex_);
    // One write() per line: with O_APPEND the kernel places it whole at the end, even with
    // another writer. A short write (disk full) is finished by the loop.
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return failure("cannot write audit log", path_);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd_) != 0) {
        return failure("cannot fsync audit log", path_);
    }
    return {};
}

}  // namespace chainvisor::control
