#include "hosts/proxmox/api_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <exception>

#include "hosts/proxmox/json_fields.h"

namespace chainvisor::hosts::proxmox {
namespace {

namespace json = boost::json;

std::string trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string firstLine(std::string_view s) {
    const std::string t = trimmed(s);
    return t.substr(0, t.find_first_of("\r\n"));
}

bool hasControl(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

std::optional<json::object> parseObject(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec || !value.is_object()) {
        return std::nullopt;
    }
    return std::move(value.as_object());
}

std::string textOf(const json::value& v) {
    if (const auto* s = v.if_string()) {
        return std::string(*s);
    }
    return json::serialize(v);
}

// Proxmox's 400 body: {"data":null,"errors":{"memory":"value must have …\n"}}.
std::map<std::string, std::string> parameterErrors(std::string_view body) {
    std::map<std::string, std::string> out;
    const auto object = parseObject(body);
    if (!object) {
        return out;
    }
    const auto it = object->find("errors");
    if (it == object->end() || !it->value().is_object()) {
        return out;
    }
    for (const auto& [key, value] : it->value().as_object()) {
        out[std::string(key)] = trimmed(textOf(value));
    }
    return out;
}

// PVE 8.3 and later repeat the error in the body's "message".
std::string bodyMessage(std::string_view body) {
    const auto object = parseObject(body);
    if (!object) {
        return {};
    }
    const auto it = object->find("message");
    return it != object->end() && it->value().is_string() ? firstLine(it->value().as_string())
                                                          : std::string();
}

bool transientText(std::string_view reason) {
    for (const std::string_view t : {"got timeout", "CT is locked", "VM is locked",
                                     "got no worker upid", "detected modified configuration"}) {
        if (reason.find(t) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool ApiError::mentions(std::string_view text) const {
    if (reason.find(text) != std::string::npos) {
        return true;
    }
    for (const auto& [key, message] : params) {
        if (message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string_view methodName(net::Method method) {
    switch (method) {
        case net::Method::Get:
            return "GET";
        case net::Method::Post:
            return "POST";
        case net::Method::Put:
            return "PUT";
        case net::Method::Delete:
            return "DELETE";
    }
    return "?";
}

ApiError classifyResponse(std::string_view method, const std::string& path,
                          const net::HttpResponse& response, const std::string& tokenId) {
    ApiError e;
    e.status = response.status;
    e.reason = firstLine(response.reason);
    if (e.reason.empty()) {
        e.reason = bodyMessage(response.body);
    }
    std::string head = std::string(method) + " " + path + ": " + std::to_string(response.status);
    if (!e.reason.empty()) {
        head += " " + e.reason;
    }
    const int s = response.status;
    if (s == 400) {
        e.params = parameterErrors(response.body);
        std::string detail;
        for (const auto& [key, message] : e.params) {
            detail += (detail.empty() ? "" : "; ") + key + ": " + message;
        }
        e.error = Error::permanent(detail.empty() ? head : head + ": " + detail);
    } else if (s == 401) {
        e.error = Error::permanent(head + ": authentication failed for token " + tokenId +
                                   " (check the token id and its secret; a deleted or expired "
                                   "token fails the same way)");
    } else if (s == 403) {
        e.error = Error::permanent(head +
                                   ": the token lacks this privilege (a privilege-separated token "
                                   "has only what both it and its user were granted)");
    } else if (s == 501) {
        e.error = Error::permanent(head + " (not implemented by this Proxmox VE)");
    } else if (s >= 500 || transientText(e.reason)) {
        e.error = Error::transient(head);
    } else if (s >= 400) {
        e.error = Error::permanent(head);
    } else {
        e.error = Error::transient(head + " (unexpected status)");
    }
    return e;
}

std::string apiBasePath(std::string_view url) {
    const auto scheme = url.find("://");
    std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return std::string(kDefaultBasePath);
    }
    std::string path(rest.substr(slash));
    path = path.substr(0, path.find_first_of("?#"));
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path == "/" ? std::string(kDefaultBasePath) : path;
}

ProxmoxApi::ProxmoxApi(ApiOptions options, net::HttpClient& http, Timing& timing)
    : options_(std::move(options)), http_(http), circuit_(options_.circuit, timing) {
    while (!options_.basePath.empty() && options_.basePath.back() == '/') {
        options_.basePath.pop_back();
    }
    if (options_.tokenId.empty()) {
        setupProblem_ = "no API token id is configured (hosts[].api.tokenId)";
    } else if (hasControl(options_.tokenId) || options_.tokenId.find('=') != std::string::npos) {
        setupProblem_ = "the API token id contains '=' or a control character";
    } else if (options_.tokenSecret.empty()) {
        setupProblem_ = "the API token secret for " + options_.tokenId + " is empty";
    } else if (hasControl(options_.tokenSecret)) {
        setupProblem_ = "the API token secret for " + options_.tokenId +
                        " contains a line break or another control character";
    }
}

std::string ProxmoxApi::redact(std::string text) const {
    const std::string& secret = options_.tokenSecret;
    if (secret.empty()) {
        return text;
    }
    for (auto at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + std::string_view("<secret>").size())) {
        text.replace(at, secret.size(), "<secret>");
    }
    return text;
}

ApiResult ProxmoxApi::get(const std::string& path, const Form& query) {
    return send(net::Method::Get, path, query);
}
ApiResult ProxmoxApi::post(const std::string& path, const Form& body) {
    return send(net::Method::Post, path, body);
}
ApiResult ProxmoxApi::put(const std::string& path, const Form& body) {
    return send(net::Method::Put, path, body);
}
ApiResult ProxmoxApi::del(const std::string& path, const Form& query) {
    return send(net::Method::Delete, path, query);
}

net::HttpRequest ProxmoxApi::request(net::Method method, const std::string& path,
                                     const Form& form) const {
    net::HttpRequest r;
    r.method = method;
    r.target = options_.basePath + path;
    const bool inBody = method == net::Method::Post || method == net::Method::Put;
    if (inBody) {
        r.body = form.encode();
        r.contentType = "application/x-www-form-urlencoded";
    } else if (!form.empty()) {
        r.target += "?" + form.encode();
    }
    r.headers["Authorization"] = "PVEAPIToken=" + options_.tokenId + "=" + options_.tokenSecret;
    r.headers["Accept"] = "application/json";
    return r;
}

ApiError ProxmoxApi::transportError(std::string message) {
    ApiError e;
    e.transport = true;
    e.error = Error::transient(redact(std::move(message)));
    return e;
}

ApiResult ProxmoxApi::send(net::Method method, const std::string& path, const Form& form) {
    const std::string what = std::string(methodName(method)) + " " + path;
    if (!setupProblem_.empty()) {
        ApiError e;
        e.error = Error::permanent(redact(setupProblem_));
        return e;
    }
    // One exchange and, when no response arrived, why (the circuit learns either way).
    auto exchange = [&](const net::HttpRequest& req,
                        const std::string& label) -> std::pair<net::HttpExchange, std::string> {
        net::HttpExchange ex;
        try {
            ex = http_.send(req, options_.requestTimeout);
        } catch (const std::exception& x) {
            ex.error = std::string("transport failed: ") + x.what();
        } catch (...) {
            ex.error = "transport failed";
        }
        if (ex.ok() && ex.response.status == 0) {
            ex.error = "no HTTP response";
        }
        if (!ex.ok()) {
            std::string why =
                label + ": " +
                (ex.timedOut ? "no response within " + secondsText(options_.requestTimeout) + " (" +
                                   ex.error + ")"
                             : ex.error);
            why = redact(std::move(why));
            circuit_.failed(why);
            return {std::move(ex), std::move(why)};
        }
        circuit_.succeeded();
        return {std::move(ex), {}};
    };

    const auto ticket = circuit_.admit();
    if (ticket.admission == Circuit::Admission::FailFast) {
        return transportError(ticket.refusal);
    }
    if (ticket.admission == Circuit::Admission::Probe) {
        auto [probe, failure] = exchange(request(net::Method::Get, "/version", {}), "GET /version");
        if (!failure.empty()) {
            return transportError("API still unreachable: " + failure);
        }
    }
    auto [ex, failure] = exchange(request(method, path, form), what);
    if (!failure.empty()) {
        return transportError(failure);
    }
    const auto& response = ex.response;
    if (response.status >= 200 && response.status < 300) {
        auto object = parseObject(response.body);
        if (!object || !object->contains("data")) {
            ApiError e;
            e.status = response.status;
            e.error = Error::transient(what + ": " + std::to_string(response.status) +
                                       " but the body is not a JSON {\"data\": …} envelope");
            return e;
        }
        return ApiResult(json::value(std::move(object->at("data"))),
                         integerField(*object, "total"));
    }
    auto e = classifyResponse(methodName(method), path, response, options_.tokenId);
    e.error.message = redact(std::move(e.error.message));
    e.reason = redact(std::move(e.reason));
    return e;
}

}  // namespace chainvisor::hosts::proxmox
