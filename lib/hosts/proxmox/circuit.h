// The circuit breaker of one Proxmox endpoint. A transport failure (connection refused or reset,
// TLS, no response in time) opens it: every call then fails fast, without touching the network,
// until a backoff has passed (2 s, doubling to 60 s). Then exactly one caller is let through as
// the probe; any HTTP response to it (whatever its status) closes the circuit, another transport
// failure opens it again for twice as long. A 595/596 from pveproxy is an HTTP response: the
// endpoint is up, one of its nodes is not, so it does not open the circuit.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "hosts/proxmox/timing.h"

namespace chainvisor::hosts::proxmox {

struct CircuitOptions {
    std::chrono::milliseconds initialBackoff{std::chrono::seconds(2)};
    std::chrono::milliseconds maxBackoff{std::chrono::seconds(60)};
};

class Circuit {
public:
    enum class Admission {
        Pass,      // closed: go ahead
        Probe,     // open, backoff over: this caller probes, then reports success or failure
        FailFast,  // open: do not touch the network; `refusal` says why
    };
    struct Ticket {
        Admission admission = Admission::Pass;
        std::string refusal;
    };

    Circuit(CircuitOptions options, Timing& timing);

    Ticket admit();
    void succeeded();                        // an HTTP response arrived: closes the circuit
    void failed(const std::string& reason);  // a transport failure: opens or extends it
    bool open() const;

private:
    CircuitOptions options_;
    Timing& timing_;
    mutable std::mutex mutex_;
    bool open_ = false;
    bool probing_ = false;
    Timing::TimePoint since_{};
    Timing::TimePoint nextTry_{};
    std::chrono::milliseconds backoff_{0};
    std::string lastError_;
};

}  // namespace chainvisor::hosts::proxmox
