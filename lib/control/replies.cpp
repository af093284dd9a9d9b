#include "control/replies.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chainvisor::control {

namespace http = boost::beast::http;

Response jsonReply(http::status status, const boost::json::value& body) {
    Response response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::cache_control, "no-store");
    // A trailing newline, so `curl --unix-socket` output ends cleanly in a terminal.
    response.body() = boost::json::serialize(body) + "\n";
    response.prepare_payload();
    return response;
}

Response errorReply(http::status status, std::string_view message) {
    return jsonReply(status, boost::json::object{{"error", message}});
}

std::string errorMessage(const Response& response) {
    boost::system::error_code ec;
    const auto body = boost::json::parse(response.body(), ec);
    if (ec || !body.is_object()) {
        return {};
    }
    const auto* error = body.get_object().if_contains("error");
    return error && error->is_string() ? std::string(error->get_string()) : std::string();
}

}  // namespace chainvisor::control
