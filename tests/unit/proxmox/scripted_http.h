// Test doubles for the Proxmox provider: an HTTP client that answers from a script and records
// every request, and a manual clock whose sleep() only moves time forward.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hosts/proxmox/timing.h"
#include "net/http_client.h"

namespace chainvisor::hosts::proxmox::test {

struct Reply {
    net::HttpResponse response;
    std::string transportError;  // non-empty: no response at all
    bool timedOut = false;
};

Reply ok(const std::string& dataJson, const std::string& extra = {});  // {"data":…<extra>}
Reply error(int status, const std::string& reason, const std::string& body = "{\"data\":null}");
Reply transport(const std::string& what, bool timedOut = false);

struct Recorded {
    net::Method method = net::Method::Get;
    std::string path;   // without the base path and query
    std::string query;  // without '?'
    std::string body;
    std::map<std::string, std::string> headers;
    std::string contentType;

    std::string key() const;                          // "GET /nodes"
    std::map<std::string, std::string> form() const;  // decoded body, or query for GET/DELETE
};

// Answers by "METHOD /path" (path without base and query). Several replies for one key are given
// in turn; the last one repeats. A request nobody scripted gets 501 "unscripted: KEY".
class ScriptedHttpClient final : public net::HttpClient {
public:
    explicit ScriptedHttpClient(std::string basePath = "/api2/json") : base_(std::move(basePath)) {}

    net::HttpExchange send(const net::HttpRequest& request,
                           std::chrono::milliseconds deadline) override;

    // Appends a reply for `key`; `replace` drops the replies given before.
    void on(const std::string& key, Reply reply, bool replace = false);
    // Every request fails like this until cleared (a dead endpoint).
    void failAll(const std::string& what) {
        std::lock_guard guard(mutex_);
        failAll_ = what;
    }
    void clearFailAll() { failAll(""); }

    // Runs `hook` once, the next time `key` is requested, before the reply is given (outside the
    // client's lock: the hook may make requests of its own).
    void once(const std::string& key, std::function<void()> hook);

    std::vector<Recorded> requests() const;
    std::size_t count() const;
    std::size_t count(const std::string& key) const;
    void clearRecords();

private:
    std::string base_;
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<Reply>> script_;
    std::vector<Recorded> records_;
    std::map<std::string, std::function<void()>> hooks_;
    std::string failAll_;
};

class ManualTiming final : public Timing {
public:
    TimePoint now() const override;
    void sleep(std::chrono::milliseconds duration) override;
    void advance(std::chrono::milliseconds duration);
    std::chrono::milliseconds slept() const;

private:
    mutable std::mutex mutex_;
    TimePoint now_{std::chrono::hours(1000)};
    std::chrono::milliseconds slept_{0};
};

std::string percentDecode(std::string_view text);

}  // namespace chainvisor::hosts::proxmox::test
