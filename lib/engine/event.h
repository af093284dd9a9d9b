// Events: what happened to a node, in order, for `chainvisorctl events`, logs and tests. The
// Reconciler emits them on the io thread; an EventLog keeps the most recent ones in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "plan/observed.h"

namespace chainvisor::engine {

struct Event {
    plan::TimePoint time;
    std::string node;  // empty for cluster-wide events
    // "ChainStarted", "ActionSucceeded", "ActionFailed", "ConditionChanged", "Interrupted",
    // "SpecChanged", "Paused", "Resumed", "Notice"
    std::string type;
    std::string message;
    std::uint64_t sequence = 0;  // assigned by an EventLog: 1, 2, 3, … in emission order
};

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void emit(Event event) = 0;
};

// The most recent `capacity` events; older ones are dropped. Thread-safe, so a reader on another
// thread (a control connection, a test) may call since() while events are emitted.
class EventLog final : public EventSink {
public:
    static constexpr std::size_t kDefaultCapacity = 10000;

    explicit EventLog(std::size_t capacity = kDefaultCapacity);

    void emit(Event event) override;

    // Events with a sequence greater than `after`, oldest first, at most `limit` of them. A
    // caller that remembers the last sequence it saw gets each event once; when
    // oldestSequence() > after + 1, events in between were dropped.
    std::vector<Event> since(std::uint64_t after, std::size_t limit = SIZE_MAX) const;
    std::uint64_t lastSequence() const;    // 0 before the first event
    std::uint64_t oldestSequence() const;  // of the oldest event kept; 0 when empty
    std::size_t size() const;
    std::size_t capacity() const { return capacity_; }

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::deque<Event> events_;
    std::uint64_t last_ = 0;
};

// Writes every event as a log line (info level), then passes it on to `next`.
class LoggingSink final : public EventSink {
public:
    explicit LoggingSink(EventSink& next) : next_(next) {}
    void emit(Event event) override;

private:
    EventSink& next_;
};

}  // namespace chainvisor::engine
