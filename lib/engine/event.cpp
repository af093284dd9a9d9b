#include "engine/event.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace chainvisor::engine {

EventLog::EventLog(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void EventLog::emit(Event event) {
    std::lock_guard lock(mutex_);
    event.sequence = ++last_;
    if (events_.size() == capacity_) {
        events_.pop_front();
    }
    events_.push_back(std::move(event));
}

std::vector<Event> EventLog::since(std::uint64_t after, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    std::vector<Event> out;
    if (events_.empty() || after >= last_) {
        return out;
    }
    // Sequences are consecutive, so the first wanted event's index follows from the oldest one.
    const std::uint64_t oldest = events_.front().sequence;
    const std::size_t first = after < oldest ? 0 : static_cast<std::size_t>(after + 1 - oldest);
    const std::size_t count = std::min(limit, events_.size() - first);
    out.reserve(count);
    for (std::size_t i = first; i < first + count; ++i) {
        out.push_back(events_[i]);
    }
    return out;
}

std::uint64_t EventLog::lastSequence() const {
    std::lock_guard lock(mutex_);
    return last_;
}

std::uint64_t EventLog::oldestSequence() const {
    std::lock_guard lock(mutex_);
    return events_.empty() ? 0 : events_.front().sequence;
}

std::size_t EventLog::size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

void LoggingSink::emit(Event event) {
    if (event.node.empty()) {
        spdlog::info("{}: {}", event.type, event.message);
    } else {
        spdlog::info("{} {}: {}", event.node, event.type, event.message);
    }
    next_.emit(std::move(event));
}

}  // namespace chainvisor::engine
