// A blocking HTTP/1.1 client seam: what the Proxmox host provider needs of a transport. The
// real implementation (https_client.h) speaks TLS with Boost.Beast and OpenSSL; tests use
// scripted ones. Called from the engine's blocking pool; safe to call from several threads.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace chainvisor::net {

enum class Method { Get, Post, Put, Delete };

struct HttpRequest {
    Method method = Method::Get;
    std::string target;  // path and query, e.g. "/api2/json/cluster/resources?type=vm"
    std::map<std::string, std::string> headers;  // values may be secret: never logged
    std::string body;
    std::string contentType;  // e.g. "application/x-www-form-urlencoded"
};

struct HttpResponse {
    int status = 0;      // 0: no response (see HttpExchange::error)
    std::string reason;  // the reason phrase: Proxmox puts its error text here
    std::string body;
};

struct HttpExchange {
    HttpResponse response;
    std::string error;  // transport failure: connect, TLS, timeout, reset; empty otherwise
    bool timedOut = false;

    bool ok() const { return error.empty(); }
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    virtual HttpExchange send(const HttpRequest& request, std::chrono::milliseconds deadline) = 0;
};

}  // namespace chainvisor::net
