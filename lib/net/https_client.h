// The HttpClient that speaks HTTPS (HTTP/1.1 over TLS 1.2+) to one endpoint: the transport of the
// Proxmox VE REST API. Blocking, called from the engine's pool; several threads may call send()
// at once. Keeps a few idle connections alive between calls.
//
// Retries: none, except one: a request that fails on a reused keep-alive connection before any
// byte of the response arrived (the server had closed it, as Proxmox does after an error response
// and after 5 s idle) is sent once more on a fresh connection if its method is idempotent (GET,
// PUT, DELETE). A POST is never re-sent: it may have taken effect.
//
// Secrets: request header values (Authorization: PVEAPIToken=…) and bodies never appear in an
// error; the client logs nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "net/http_client.h"
#include "net/https_url.h"
#include "net/tls_trust.h"

namespace chainvisor::net {

struct HttpsClientOptions {
    std::size_t maxIdleConnections = 4;
    // A connection idle this long is closed, not reused (Proxmox closes at 5 s idle).
    std::chrono::milliseconds maxIdleTime{4000};
    std::size_t maxBodyBytes = 16 * 1024 * 1024;
    std::size_t maxHeaderBytes = 64 * 1024;
    std::string userAgent = "chainvisord";
};

class HttpsClient final : public HttpClient {
public:
    // Throws std::invalid_argument when the trust cannot be used (both a CA file and a
    // fingerprint, a malformed fingerprint, an unreadable CA file) or the endpoint has no host.
    HttpsClient(HttpsEndpoint endpoint, TlsTrust trust, HttpsClientOptions options = {});
    ~HttpsClient() override;
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    // `request.target` is the full path (base path included). One deadline covers the name
    // lookup, connect, TLS handshake, write and read, and a retry. Never throws.
    HttpExchange send(const HttpRequest& request, std::chrono::milliseconds deadline) override;

    const HttpsEndpoint& endpoint() const;
    // Connections waiting in the pool (for tests and diagnostics).
    std::size_t idleConnections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace chainvisor::net
