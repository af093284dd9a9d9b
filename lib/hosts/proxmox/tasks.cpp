#include "hosts/proxmox/tasks.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "hosts/proxmox/json_fields.h"

namespace chainvisor::hosts::proxmox {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

bool isHex(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    });
}

std::string trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string taskPath(const Upid& upid) {
    return "/nodes/" + percentEncode(upid.node) + "/tasks/" + percentEncode(upid.text);
}

std::string describe(const Upid& upid) {
    std::string d = upid.type + " task";
    if (!upid.id.empty()) {
        d += " for " + upid.id;
    }
    return d + " on " + upid.node;
}

bool succeeded(std::string_view exitStatus) {
    return exitStatus == "OK" || exitStatus.rfind("WARNINGS", 0) == 0;
}

}  // namespace

std::optional<Upid> parseUpid(std::string_view text) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto colon = text.find(':', start);
        if (colon == std::string_view::npos) {
            parts.push_back(text.substr(start));
            break;
        }
        parts.push_back(text.substr(start, colon - start));
        start = colon + 1;
    }
    // UPID, node, pid, pstart, starttime, type, id, user, "" (after the trailing colon)
    if (parts.size() != 9 || parts[0] != "UPID" || parts[1].empty() || !isHex(parts[2]) ||
        !isHex(parts[3]) || !isHex(parts[4]) || parts[5].empty() || !parts[8].empty()) {
        return std::nullopt;
    }
    return Upid{std::string(text), std::string(parts[1]), std::string(parts[5]),
                std::string(parts[6]), std::string(parts[7])};
}

milliseconds pollDelay(const TaskOptions& options, std::chrono::nanoseconds elapsed) {
    const auto share =
        std::chrono::duration_cast<milliseconds>(elapsed) / std::max(1, options.pollFraction);
    return std::clamp(share, options.minPoll, std::max(options.minPoll, options.maxPoll));
}

std::string taskLogTail(ProxmoxApi& api, const Upid& upid, int lines) {
    if (lines <= 0) {
        return {};
    }
    const std::string path = taskPath(upid) + "/log";
    constexpr int kFirstPage = 50;
    auto page = api.get(path, Form().number("start", 0).number("limit", kFirstPage));
    if (!page) {
        return {};
    }
    // A long log: fetch just its end (one line more, for the TASK ERROR line that is dropped).
    if (page.total() && *page.total() > kFirstPage) {
        const auto from = std::max<std::int64_t>(0, *page.total() - lines - 1);
        auto tail = api.get(path, Form().number("start", from).number("limit", lines + 1));
        if (tail) {
            page = std::move(tail);
        }
    }
    const auto* entries = page.data().if_array();
    if (entries == nullptr) {
        return {};
    }
    std::vector<std::string> texts;
    for (const auto& entry : *entries) {
        const auto* object = entry.if_object();
        if (object == nullptr) {
            continue;
        }
        std::string t = trimmed(textField(*object, "t"));
        if (t.empty() || t == "no content" || t.rfind("TASK ERROR", 0) == 0 ||
            t.rfind("TASK OK", 0) == 0 || t.rfind("TASK WARNINGS", 0) == 0) {
            continue;
        }
        texts.push_back(std::move(t));
    }
    const std::size_t keep = std::min(texts.size(), static_cast<std::size_t>(lines));
    std::string out;
    for (std::size_t i = texts.size() - keep; i < texts.size(); ++i) {
        out += (out.empty() ? "" : " | ") + texts[i];
    }
    return out;
}

Result<void> waitForTask(ProxmoxApi& api, Timing& timing, const json::value& upidValue,
                         const TaskOptions& options, std::optional<milliseconds> deadline) {
    const auto* upidText = upidValue.if_string();
    const auto upid = upidText ? parseUpid(*upidText) : std::nullopt;
    if (!upid) {
        return Error::transient("expected a task id (UPID) in the answer, got " +
                                std::string(upidText ? std::string_view(*upidText)
                                                     : std::string_view("something else")));
    }
    const milliseconds limit = deadline.value_or(options.deadline);
    const std::string path = taskPath(*upid) + "/status";
    const auto started = timing.now();
    auto lastAnswer = started;
    while (true) {
        auto r = api.get(path);
        const auto now = timing.now();
        if (r) {
            lastAnswer = now;
            const auto* status = r.data().if_object();
            if (status != nullptr && textField(*status, "status") == "stopped") {
                const std::string exitStatus = trimmed(textField(*status, "exitstatus"));
                if (succeeded(exitStatus)) {
                    return {};
                }
                std::string message = describe(*upid) + " failed: " +
                                      (exitStatus.empty() ? "no exit status" : exitStatus);
                if (const auto tail = taskLogTail(api, *upid, options.logLines); !tail.empty()) {
                    message += " (log: " + tail + ")";
                }
                return Error::transient(api.redact(std::move(message)));
            }
        } else {
            const ApiError& e = r.error();
            const bool unknownYet = e.status == 400 && e.mentions("no such task") &&
                                    now - started < options.unknownGrace;
            if (!unknownYet) {
                if (e.error.kind == ErrorKind::Permanent && e.status != 400) {
                    return Error::permanent("waiting for " + describe(*upid) + ": " +
                                            e.error.message);
                }
                if (e.status == 400 || now - lastAnswer >= options.errorGrace) {
                    return Error::transient("lost track of " + describe(*upid) + " (" + upid->text +
                                            "): " + e.error.message);
                }
            }
        }
        if (now - started >= limit) {
            return Error::transient(describe(*upid) + " still running after " + secondsText(limit) +
                                    "; not waiting any longer (" + upid->text + ")");
        }
        timing.sleep(pollDelay(options, now - started));
    }
}

}  // namespace chainvisor::hosts::proxmox
