// ProxmoxApi: the Proxmox VE REST API over a blocking net::HttpClient.
//
// Every request goes to <basePath><path> (basePath "/api2/json") with the header
// `Authorization: PVEAPIToken=<token id>=<secret>`; bodies and queries are form-encoded
// (form.h). A 2xx answer is unwrapped from its {"data": …} envelope. Anything else becomes an
// ApiError whose message is "<METHOD> <path>: <status> <reason phrase>[: detail]", since Proxmox
// puts its error text in the reason phrase, classified as follows:
//
//   no response (connect, reset, TLS, timeout)         Transient, opens the circuit (circuit.h)
//   circuit open                                       Transient, fails fast, no request sent
//   5xx incl. 595/596 proxy hops to another node,      Transient
//     "got timeout" (config lock), "CT is locked (…)",
//     "got no worker upid", digest conflicts
//   400 Parameter verification failed.                 Permanent, names each parameter
//   401                                                Permanent "authentication failed for
//                                                      token <id>" (never the secret)
//   403 Permission check failed (/vms/100, VM.…)       Permanent, with the reason
//   501 and every other 4xx                            Permanent
//
// Callers look at ApiError::status and mentions() for the answers that mean "already done"
// ("already running", "already exists", "does not exist").
//
// The token secret is a value handed in by the daemon. It is only ever written into the
// Authorization header: every message this class produces goes through redact(), and nothing
// here logs a request.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hosts/proxmox/circuit.h"
#include "hosts/proxmox/form.h"
#include "hosts/proxmox/timing.h"
#include "hosts/result.h"
#include "net/http_client.h"

namespace chainvisor::hosts::proxmox {

inline constexpr std::string_view kDefaultBasePath = "/api2/json";

struct ApiOptions {
    std::string basePath = std::string(kDefaultBasePath);
    std::string tokenId;      // USER@REALM!TOKENID
    std::string tokenSecret;  // the secret itself: never logged, never in an error
    std::chrono::milliseconds requestTimeout{std::chrono::seconds(40)};
    CircuitOptions circuit;
};

struct ApiError {
    Error error;         // classified; the message is complete and secret-free
    int status = 0;      // 0: no HTTP response (transport failure, circuit open, bad setup)
    std::string reason;  // the reason phrase's first line
    std::map<std::string, std::string> params;  // 400: parameter → what is wrong with it
    bool transport = false;  // no response: the endpoint is unreachable (or the circuit is open)

    // `text` occurs in the reason phrase or in a parameter's message.
    bool mentions(std::string_view text) const;
};

class ApiResult {
public:
    ApiResult(boost::json::value data, std::optional<std::int64_t> total = std::nullopt)
        : data_(std::move(data)), total_(total) {}           // NOLINT: implicit
    ApiResult(ApiError error) : error_(std::move(error)) {}  // NOLINT: implicit

    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    const boost::json::value& data() const { return data_; }
    // The envelope's "total" (task logs, some lists), when present.
    std::optional<std::int64_t> total() const { return total_; }
    const ApiError& error() const { return *error_; }

private:
    boost::json::value data_;
    std::optional<std::int64_t> total_;
    std::optional<ApiError> error_;
};

class ProxmoxApi {
public:
    ProxmoxApi(ApiOptions options, net::HttpClient& http, Timing& timing);

    // `path` is relative to the base path and already encoded ("/nodes/pve1/lxc/100/config").
    ApiResult get(const std::string& path, const Form& query = {});
    ApiResult post(const std::string& path, const Form& body = {});
    ApiResult put(const std::string& path, const Form& body = {});
    ApiResult del(const std::string& path, const Form& query = {});

    bool circuitOpen() const { return circuit_.open(); }
    const std::string& tokenId() const { return options_.tokenId; }
    // `text` with every occurrence of the token secret replaced by "<secret>".
    std::string redact(std::string text) const;

private:
    ApiResult send(net::Method method, const std::string& path, const Form& form);
    net::HttpRequest request(net::Method method, const std::string& path, const Form& form) const;
    ApiError transportError(std::string message);

    ApiOptions options_;
    net::HttpClient& http_;
    Circuit circuit_;
    std::string setupProblem_;  // non-empty: the token cannot be used; every call fails with it
};

// What a non-2xx response means (pure; see the table above). `path` as shown in messages.
ApiError classifyResponse(std::string_view method, const std::string& path,
                          const net::HttpResponse& response, const std::string& tokenId);

// The API's base path in an endpoint URL: "https://pve1:8006/api2/json" → "/api2/json"; a URL
// without a path gives the default.
std::string apiBasePath(std::string_view url);

std::string_view methodName(net::Method method);

}  // namespace chainvisor::hosts::proxmox
