#include "logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace chainvisor::daemon {
namespace {

// The log message as a JSON string body: messages carry text from outside (subprocess output,
// host errors), which may hold quotes, backslashes and control characters.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        static constexpr char hex[] = "0123456789abcdef";
        for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                dest.push_back('\\');
                dest.push_back(c);
            } else if (c == '\n') {
                dest.append(std::string_view("\\n"));
            } else if (u < 0x20) {
                const char esc[] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0xf]};
                dest.append(esc, esc + sizeof esc);
            } else {
                dest.push_back(c);
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};

// "<3>" for an error, as sd-daemon(3) prefixes lines for journald, which strips it and files
// the line under that priority: journalctl -p warning then shows warnings and errors.
class JournalPriority final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        char priority = '6';
        switch (msg.level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                priority = '7';
                break;
            case spdlog::level::warn:
                priority = '4';
                break;
            case spdlog::level::err:
                priority = '3';
                break;
            case spdlog::level::critical:
                priority = '2';
                break;
            default:
                break;
        }
        const char prefix[] = {'<', priority, '>'};
        dest.append(prefix, prefix + sizeof prefix);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JournalPriority>();
    }
};

// stderr is connected to journald: JOURNAL_STREAM names its device and inode (systemd.exec(5)).
bool stderrIsJournal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (stream == nullptr || ::fstat(STDERR_FILENO, &st) != 0) {
        return false;
    }
    return std::string(stream) == std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

}  // namespace

void setUpLogging(LogFormat format, LogLevel level) {
    auto logger = spdlog::stderr_logger_mt("chainvisord");
    if (format == LogFormat::Json) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","message":"%*"})");
        logger->set_formatter(std::move(formatter));
    } else if (::isatty(STDERR_FILENO) != 0) {
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    } else if (stderrIsJournal()) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<JournalPriority>('J').set_pattern(
            "%J%-5l %v");  // journald adds the time
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("%-5l %v");
    }
    static constexpr spdlog::level::level_enum levels[] = {
        spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
        spdlog::level::err};
    logger->set_level(levels[static_cast<int>(level)]);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace chainvisor::daemon
