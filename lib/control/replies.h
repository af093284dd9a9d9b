// HTTP replies with JSON bodies, the only kind the control socket sends. Errors are
// {"error": "what is wrong; what to do"}.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace chainvisor::control {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

Response jsonReply(boost::beast::http::status status, const boost::json::value& body);
Response errorReply(boost::beast::http::status status, std::string_view message);

// The message of an error reply, or "" when the body is not one.
std::string errorMessage(const Response& response);

}  // namespace chainvisor::control
