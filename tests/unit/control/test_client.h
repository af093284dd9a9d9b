// Clients for the server tests: a whole HTTP exchange with headers (Beast, one deadline), raw
// bytes for what no proper client sends, and a client forked to run as another user.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace chainvisor::control::test {

struct Exchange {
    std::optional<boost::beast::http::response<boost::beast::http::string_body>> response;
    std::string error;  // when there is no response

    int status() const { return response ? static_cast<int>(response->result_int()) : 0; }
    boost::json::value json() const;   // the body parsed; null when not JSON
    std::string errorMessage() const;  // the body's "error"
};

Exchange request(const std::filesystem::path& socket, const std::string& method,
                 const std::string& target, const std::string& body = {},
                 std::chrono::milliseconds deadline = std::chrono::seconds(10));

// Connects, writes `bytes`, and reads until the server closes or `deadline` passes.
struct RawResult {
    bool connected = false;
    bool closedByServer = false;  // false: the deadline passed first
    std::string received;
};
RawResult rawExchange(const std::filesystem::path& socket, const std::string& bytes,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10));

// The same exchange from a forked child that switched to uid/gid `nobody` (and no
// supplementary groups) first. Only async-signal-safe calls after fork(). Root only.
struct ForeignResult {
    std::string error;  // set when the child could not be run or could not connect
    int connectErrno = 0;
    std::string received;
    int status() const;  // the HTTP status in `received`, 0 if none
};
ForeignResult exchangeAsNobody(const std::filesystem::path& socket, const std::string& method,
                               const std::string& target, const std::string& body = {});

}  // namespace chainvisor::control::test
