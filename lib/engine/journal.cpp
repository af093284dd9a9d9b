#include "engine/journal.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "os/atomic_file.h"

namespace chainvisor::engine {
namespace {

namespace json = boost::json;

std::int64_t toMillis(plan::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string serialise(const Intent& intent) {
    json::object o;
    o["id"] = intent.id;
    o["node"] = intent.node;
    o["host"] = intent.host;
    o["vmid"] = intent.vmid;
    o["action"] = intent.action;
    o["disruption"] = intent.disruption;
    o["reason"] = intent.reason;
    o["startedMs"] = toMillis(intent.started);
    return json::serialize(o) + "\n";
}

std::optional<Intent> parse(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) {
        return std::nullopt;
    }
    const auto& o = value.as_object();
    auto str = [&](const char* key) -> std::string {
        const auto* v = o.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string{};
    };
    auto num = [&](const char* key) -> std::int64_t {
        const auto* v = o.if_contains(key);
        return v != nullptr && v->is_int64() ? v->as_int64() : 0;
    };
    Intent intent;
    intent.id = str("id");
    intent.node = str("node");
    intent.host = str("host");
    intent.vmid = static_cast<int>(num("vmid"));
    intent.action = str("action");
    intent.disruption = str("disruption");
    intent.reason = str("reason");
    intent.started = plan::TimePoint{std::chrono::milliseconds(num("startedMs"))};
    if (intent.id.empty()) {
        return std::nullopt;
    }
    return intent;
}

}  // namespace

Journal::Journal(Journal&& other) noexcept
    : dir_(std::move(other.dir_)),
      interrupted_(std::move(other.interrupted_)),
      sequence_(other.sequence_) {}

std::optional<Journal> Journal::open(const std::filesystem::path& stateDir, std::string& error) {
    const auto dir = stateDir / "intents";
    if (error = os::ensureDirectory(dir, 0700); !error.empty()) {
        return std::nullopt;
    }
    Journal journal(dir);
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto& path = entry.path();
        if (path.extension() != ".json") {
            // A temporary file from a write the previous run did not finish: nothing began.
            std::filesystem::remove(path, ec);
            continue;
        }
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        if (auto intent = parse(text.str())) {
            journal.interrupted_.push_back(std::move(*intent));
        }
    }
    if (ec) {
        error = "cannot read " + dir.string() + ": " + ec.message();
        return std::nullopt;
    }
    std::sort(journal.interrupted_.begin(), journal.interrupted_.end(),
              [](const Intent& a, const Intent& b) { return a.started < b.started; });
    return journal;
}

std::optional<std::string> Journal::begin(const plan::Action& action, plan::TimePoint now,
                                          std::string& error) {
    std::lock_guard lock(mutex_);
    Intent intent;
    // Unique within this run by the sequence; across runs by the pid, unless it was reused at the
    // same millisecond (a test's manual clock does that): never overwrite an existing record.
    std::error_code ec;
    do {
        intent.id = std::to_string(toMillis(now)) + "-" + std::to_string(::getpid()) + "-" +
                    std::to_string(++sequence_);
    } while (std::filesystem::exists(dir_ / (intent.id + ".json"), ec));
    intent.node = action.node;
    intent.host = action.host;
    intent.vmid = action.vmid;
    intent.action = std::string(plan::toString(action.kind));
    intent.disruption = std::string(plan::toString(action.disruption));
    intent.reason = action.reason;
    intent.started = now;
    error = os::writeFileAtomically(dir_ / (intent.id + ".json"), serialise(intent), 0600);
    if (!error.empty()) {
        return std::nullopt;
    }
    return intent.id;
}

std::string Journal::end(const std::string& id) {
    std::lock_guard lock(mutex_);
    return os::removeFileDurably(dir_ / (id + ".json"));
}

void Journal::forgetInterrupted() {
    std::lock_guard lock(mutex_);
    for (const auto& intent : interrupted_) {
        os::removeFileDurably(dir_ / (intent.id + ".json"));
    }
    interrupted_.clear();
}

}  // namespace chainvisor::engine
