#include "nodes/json_rpc.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "nodes/hex.h"

namespace chainvisor::nodes {

namespace json = boost::json;

RpcAnswer callRpc(ProbeHttp& http, const RpcEndpoint& endpoint, std::string_view method,
                  json::array params, std::int64_t id) {
    json::object request;
    request["jsonrpc"] = "2.0";
    request["id"] = id;
    request["method"] = method;
    request["params"] = std::move(params);
    const std::string name(method);
    const auto r = http.postJson(endpoint.address, endpoint.port, endpoint.path,
                                 json::serialize(request), endpoint.timeout);
    RpcAnswer answer;
    if (!r.response) {
        answer.transportError = r.error;
        answer.error = name + ": " + r.error;
        return answer;
    }
    if (r.response->status != 200) {
        answer.error = name + ": HTTP " + std::to_string(r.response->status);
        return answer;
    }
    boost::system::error_code ec;
    const json::value body = json::parse(r.response->body, ec);
    const auto* object = ec ? nullptr : body.if_object();
    if (object == nullptr) {
        answer.error = name + ": not a JSON-RPC answer";
        return answer;
    }
    if (const auto* error = object->if_contains("error"); error != nullptr && !error->is_null()) {
        const auto* message =
            error->is_object() ? error->get_object().if_contains("message") : nullptr;
        answer.error =
            name + ": " +
            (message != nullptr && message->is_string() ? std::string(message->get_string())
                                                        : std::string("error"));
        return answer;
    }
    if (const auto* result = object->if_contains("result")) {
        answer.result = *result;
    } else {
        answer.noResult = true;
        answer.error = name + ": no result";
    }
    return answer;
}

std::optional<std::uint64_t> rpcQuantity(const json::value& value) {
    if (!value.is_string()) {
        return std::nullopt;
    }
    const std::string_view text = value.get_string();
    const std::string_view digits = withoutHexPrefix(text);
    if (digits.size() == text.size() || digits.empty() || digits.size() > 16) {
        return std::nullopt;
    }
    std::uint64_t out = 0;
    for (char c : digits) {
        const int digit = hexDigitValue(c);
        if (digit < 0) {
            return std::nullopt;
        }
        out = out * 16 + static_cast<std::uint64_t>(digit);
    }
    return out;
}

}  // namespace chainvisor::nodes
