// The systemd notification protocol (sd_notify(3)): datagrams like "READY=1" to the socket named
// by $NOTIFY_SOCKET. Spoken directly, it is a few lines, not a library dependency.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::daemon {

class Notifier {
public:
    // Reads NOTIFY_SOCKET and WATCHDOG_USEC (honouring WATCHDOG_PID); inert when not set.
    static Notifier fromEnvironment();

    bool enabled() const { return !socket_.empty(); }
    // How often to send WATCHDOG=1 (half the configured timeout), when the watchdog is on.
    std::optional<std::chrono::microseconds> watchdogInterval() const { return watchdog_; }

    // Sends newline-separated assignments; returns false when the datagram could not be sent.
    bool send(std::string_view state) const;

    bool ready() const { return send("READY=1"); }
    bool reloading() const;  // RELOADING=1 with MONOTONIC_USEC, as systemd ≥ 253 expects
    bool stopping() const { return send("STOPPING=1"); }
    bool status(std::string_view line) const;
    bool watchdog() const { return send("WATCHDOG=1"); }

private:
    std::string socket_;
    std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace chainvisor::daemon
