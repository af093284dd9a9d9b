// HTTP from the daemon to its nodes (health endpoints, JSON-RPC, metrics), behind an interface so
// node kinds and the agent are tested with scripted answers instead of a network.
#pragma once

#include <chrono>
#include <string>

#include "net/http_get.h"

namespace chainvisor::nodes {

class ProbeHttp {
public:
    virtual ~ProbeHttp() = default;
    // `hostHeader` empty: "address:port". Blocking, bounded by `timeout`.
    virtual net::HttpGetResult get(const std::string& address, int port, const std::string& target,
                                   std::chrono::milliseconds timeout,
                                   const std::string& hostHeader = {}) = 0;
    virtual net::HttpGetResult postJson(const std::string& address, int port,
                                        const std::string& target, const std::string& body,
                                        std::chrono::milliseconds timeout,
                                        const std::string& hostHeader = {}) = 0;
};

// The real thing: net::httpGet / net::httpPostJson.
class NetProbeHttp final : public ProbeHttp {
public:
    net::HttpGetResult get(const std::string& address, int port, const std::string& target,
                           std::chrono::milliseconds timeout,
                           const std::string& hostHeader) override {
        return net::httpGet(address, port, target, timeout, hostHeader);
    }
    net::HttpGetResult postJson(const std::string& address, int port, const std::string& target,
                                const std::string& body, std::chrono::milliseconds timeout,
                                const std::string& hostHeader) override {
        return net::httpPostJson(address, port, target, body, timeout, hostHeader);
    }
};

}  // namespace chainvisor::nodes
