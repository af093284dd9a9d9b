#include "metered_transport.h"

#include <chrono>

namespace chainvisor::daemon {

std::string errorKind(const net::HttpExchange& exchange) {
    if (!exchange.ok()) {
        return exchange.timedOut ? "timeout" : "transport";
    }
    if (exchange.response.status >= 500) {
        return "http_5xx";
    }
    if (exchange.response.status >= 400) {
        return "http_4xx";
    }
    return {};
}

net::HttpExchange MeteredHttpClient::send(const net::HttpRequest& request,
                                          std::chrono::milliseconds deadline) {
    const auto started = std::chrono::steady_clock::now();
    auto exchange = inner_.send(request, deadline);
    metrics_.recordHostApiRequest(host_, std::chrono::steady_clock::now() - started);
    if (const auto kind = errorKind(exchange); !kind.empty()) {
        metrics_.recordHostApiError(host_, kind);
    }
    return exchange;
}

net::RemoteOutcome MeteredShell::run(const net::RemoteCommand& command) {
    const auto started = std::chrono::steady_clock::now();
    auto outcome = inner_.run(command);
    metrics_.recordHostApiRequest(host_, std::chrono::steady_clock::now() - started);
    // A command's own exit status is its business; only the transport's failures count here.
    if (!outcome.ok()) {
        metrics_.recordHostApiError(host_, outcome.timedOut    ? "timeout"
                                           : outcome.permanent ? "ssh_refused"
                                                               : "transport");
    }
    return outcome;
}

}  // namespace chainvisor::daemon
