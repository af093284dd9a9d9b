// Plain-HTTP GET and POST with one overall deadline, for health probes and JSON-RPC calls from the
// daemon to its nodes.
// Blocking: it runs its own small io_context, so it is called from the engine's pool.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace chainvisor::net {

struct ProbeResponse {
    int status = 0;
    std::string body;  // capped at kMaxProbeBody
};

inline constexpr std::size_t kMaxProbeBody = 64 * 1024;

struct HttpGetResult {
    std::optional<ProbeResponse> response;
    std::string error;  // "connect 10.99.0.11:8080: Connection refused", "timed out after 2000 ms"
};

// `hostHeader` empty: "address:port".
HttpGetResult httpGet(const std::string& address, int port, const std::string& target,
                      std::chrono::milliseconds deadline, const std::string& hostHeader = {});

// POST of `body` as application/json (a JSON-RPC call).
HttpGetResult httpPostJson(const std::string& address, int port, const std::string& target,
                           const std::string& body, std::chrono::milliseconds deadline,
                           const std::string& hostHeader = {});

}  // namespace chainvisor::net
