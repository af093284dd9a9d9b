// Decorators that time every request a host provider makes (HTTPS to the Proxmox API, commands
// over SSH) and count its failures by kind, per spec host, for
// chainvisor_host_api_request_duration_seconds and chainvisor_host_api_errors_total.
#pragma once

#include <string>

#include "net/http_client.h"
#include "net/remote_shell.h"
#include "observe/metrics.h"

namespace chainvisor::daemon {

class MeteredHttpClient final : public net::HttpClient {
public:
    MeteredHttpClient(net::HttpClient& inner, observe::Metrics& metrics, std::string host)
        : inner_(inner), metrics_(metrics), host_(std::move(host)) {}
    net::HttpExchange send(const net::HttpRequest& request,
                           std::chrono::milliseconds deadline) override;

private:
    net::HttpClient& inner_;
    observe::Metrics& metrics_;
    std::string host_;
};

class MeteredShell final : public net::RemoteShell {
public:
    MeteredShell(net::RemoteShell& inner, observe::Metrics& metrics, std::string host)
        : inner_(inner), metrics_(metrics), host_(std::move(host)) {}
    const std::string& target() const override { return inner_.target(); }
    net::RemoteOutcome run(const net::RemoteCommand& command) override;

private:
    net::RemoteShell& inner_;
    observe::Metrics& metrics_;
    std::string host_;
};

// The error kind of an exchange: "" (none), "timeout", "transport", "http_4xx", "http_5xx".
std::string errorKind(const net::HttpExchange& exchange);

}  // namespace chainvisor::daemon
