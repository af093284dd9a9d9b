#include "control/control_routes.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <exception>
#include <initializer_list>
#include <string>

#include "control/client_text.h"
#include "control/views_json.h"
#include "spec/did_you_mean.h"

namespace chainvisor::control {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

struct ControlRoutes::Change {
    bool asked = false;  // a POST: audited whatever comes of it
    AuditRecord record;

    void outcome(AuditOutcome what, std::string message) {
        record.outcome = what;
        record.message = std::move(message);
    }
};

namespace {

constexpr std::string_view kNodesPrefix = "/v1/nodes/";
constexpr std::size_t kMaxNodeName = 256;

struct Endpoint {
    std::string_view path;
    http::verb method;
};

// Every endpoint but /v1/nodes/{name}, which is matched by prefix.
constexpr Endpoint kEndpoints[] = {
    {"/v1/status", http::verb::get},     {"/v1/nodes", http::verb::get},
    {"/v1/plan", http::verb::get},       {"/v1/events", http::verb::get},
    {"/v1/reconcile", http::verb::post}, {"/v1/pause", http::verb::post},
    {"/v1/resume", http::verb::post},    {"/v1/reload", http::verb::post},
};

std::string endpointList() {
    std::string out;
    for (const auto& e : kEndpoints) {
        out += (out.empty() ? "" : ", ") + std::string(http::to_string(e.method)) + " " +
               std::string(e.path);
    }
    return out + ", GET /v1/nodes/{name}";
}

// The method an endpoint answers, or nullopt for a path that is none of them.
std::optional<http::verb> methodOf(std::string_view path) {
    if (path.starts_with(kNodesPrefix) && path.size() > kNodesPrefix.size()) {
        return http::verb::get;
    }
    for (const auto& e : kEndpoints) {
        if (e.path == path) {
            return e.method;
        }
    }
    return std::nullopt;
}

// "" or a 400 message naming the parameter that is not accepted here.
std::string unexpectedParameter(const Target& target,
                                std::initializer_list<std::string_view> accepted) {
    for (const auto& [key, value] : target.query) {
        bool known = false;
        for (auto a : accepted) {
            known = known || a == key;
        }
        if (!known) {
            std::string list;
            for (auto a : accepted) {
                list += (list.empty() ? "" : ", ") + std::string(a);
            }
            return "unknown parameter '" + clientText(key) + "'" +
                   (list.empty() ? "; this endpoint takes none" : "; accepted: " + list);
        }
    }
    return {};
}

// A bounded wait=S parameter: nullopt when absent, else the deadline (maxWait at most).
struct Wait {
    std::optional<SteadyClock::time_point> deadline;
    std::string error;
};

Wait waitParameter(const Target& target, std::chrono::milliseconds maxWait) {
    const auto found = target.query.find("wait");
    if (found == target.query.end()) {
        return {};
    }
    const auto seconds = parseSeconds(found->second);
    if (!seconds) {
        return {std::nullopt,
                "wait: '" + clientText(found->second) + "' is not a number of seconds"};
    }
    return {SteadyClock::now() + std::min(*seconds, maxWait), {}};
}

bool blank(std::string_view body) {
    return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The body of a POST that takes no arguments: nothing, or an empty object.
std::string expectNoArguments(const Request& request) {
    if (blank(request.body())) {
        return {};
    }
    boost::system::error_code ec;
    const auto body = json::parse(request.body(), ec);
    if (ec || !body.is_object() || !body.get_object().empty()) {
        return "this request takes no body (or {})";
    }
    return {};
}

// {"node": "val1"} or nothing. Sets `error` for anything else.
std::optional<std::string> nodeArgument(const Request& request, std::string& error) {
    if (blank(request.body())) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    const auto body = json::parse(request.body(), ec);
    if (ec) {
        error = "body is not valid JSON (" + ec.message() + "); expected {\"node\": \"NAME\"}";
        return std::nullopt;
    }
    if (!body.is_object()) {
        error = "body must be a JSON object: {\"node\": \"NAME\"}";
        return std::nullopt;
    }
    std::optional<std::string> node;
    for (const auto& [key, value] : body.get_object()) {
        if (key != "node") {
            error = "unknown field '" + clientText(key) + "'; accepted: node";
            return std::nullopt;
        }
        if (!value.is_string() || value.get_string().empty() ||
            value.get_string().size() > kMaxNodeName) {
            error = "node: must be a node name (a non-empty string)";
            return std::nullopt;
        }
        node = std::string(value.get_string());
    }
    return node;
}

json::array nodesJson(const std::vector<NodeView>& nodes) {
    json::array out;
    out.reserve(nodes.size());
    for (const auto& n : nodes) {
        out.push_back(toJson(n));
    }
    return out;
}

json::array networksJson(const std::vector<NetworkView>& networks) {
    json::array out;
    for (const auto& n : networks) {
        out.push_back(toJson(n));
    }
    return out;
}

}  // namespace

ControlRoutes::ControlRoutes(asio::any_io_executor executor, ControlApi& api,
                             const ControlServerOptions& options, const Authorizer& authorizer)
    : api_(api), options_(options), authorizer_(authorizer), events_(executor), passes_(executor) {}

void ControlRoutes::notifyEvents() {
    events_.notify();
}

void ControlRoutes::notifyPassCompleted(std::uint64_t pass) {
    passesNotified_ = std::max(passesNotified_, pass);
    passes_.notify();
}

void ControlRoutes::stop() {
    stopping_ = true;
    events_.notify();
    passes_.notify();
}

std::uint64_t ControlRoutes::passesCompleted() {
    return std::max(api_.passesCompleted(), passesNotified_);
}

asio::awaitable<Handled> ControlRoutes::handle(const Request& request,
                                               const PeerCredentials& peer) {
    Change change;
    if (request.method() == http::verb::post) {
        change.asked = true;
        change.record.uid = peer.uid;
        change.record.pid = peer.pid;
        change.record.action = "POST " + clientText(request.target());
    }
    Handled handled;
    try {
        handled.response = co_await route(request, peer, change);
    } catch (const std::exception& e) {
        // The daemon's side failed; the connection and the server carry on.
        handled.response = errorReply(http::status::internal_server_error,
                                      std::string("internal error: ") + e.what());
        change.outcome(AuditOutcome::Error, std::string("internal error: ") + e.what());
    }
    handled.response.version(request.version());
    if (change.asked) {
        handled.audit = std::move(change.record);
    }
    co_return handled;
}

asio::awaitable<Response> ControlRoutes::route(const Request& request, const PeerCredentials& peer,
                                               Change& change) {
    const auto refuse = [&](http::status status, AuditOutcome outcome, std::string message) {
        change.outcome(outcome, message);
        return errorReply(status, message);
    };
    if (stopping_) {
        co_return refuse(http::status::service_unavailable, AuditOutcome::Refused,
                         "chainvisord is shutting down");
    }
    const auto target = parseTarget(request.target());
    if (!target) {
        co_return refuse(http::status::bad_request, AuditOutcome::Error,
                         "malformed request target '" + clientText(request.target()) + "'");
    }
    const auto method = methodOf(target->path);
    if (!method) {
        co_return refuse(
            http::status::not_found, AuditOutcome::Error,
            "no endpoint " + clientText(target->path) + "; endpoints: " + endpointList());
    }
    if (request.method() != *method) {
        const auto allowed = std::string(http::to_string(*method));
        auto response = refuse(http::status::method_not_allowed, AuditOutcome::Error,
                               target->path + " takes " + allowed + " only");
        response.set(http::field::allow, allowed);
        co_return response;
    }
    if (*method == http::verb::post && !authorizer_.mayChange(peer)) {
        co_return refuse(
            http::status::forbidden, AuditOutcome::Refused,
            "permission denied: changing chainvisord is for " + authorizer_.whoMayChange());
    }

    const auto& path = target->path;
    std::string unexpected;
    if (path == "/v1/events") {
        unexpected = unexpectedParameter(*target, {"since", "limit", "wait"});
    } else if (path == "/v1/reconcile") {
        unexpected = unexpectedParameter(*target, {"wait"});
    } else {
        unexpected = unexpectedParameter(*target, {});
    }
    if (!unexpected.empty()) {
        co_return refuse(http::status::bad_request, AuditOutcome::Error, unexpected);
    }

    if (path == "/v1/status") {
        co_return status();
    }
    if (path == "/v1/nodes") {
        co_return nodeList();
    }
    if (path.starts_with(kNodesPrefix)) {
        co_return node(std::string_view(path).substr(kNodesPrefix.size()));
    }
    if (path == "/v1/plan") {
        co_return plan();
    }
    if (path == "/v1/events") {
        co_return co_await events(*target);
    }
    if (path == "/v1/reconcile") {
        co_return co_await reconcile(request, *target, change);
    }
    if (path == "/v1/pause" || path == "/v1/resume") {
        co_return pauseOrResume(path == "/v1/pause", request, change);
    }
    co_return reload(request, change);
}

Response ControlRoutes::status() {
    return jsonReply(http::status::ok, json::object{{"version", options_.version},
                                                    {"summary", api_.summary()},
                                                    {"passesCompleted", passesCompleted()},
                                                    {"lastEvent", api_.lastEventSequence()},
                                                    {"networks", networksJson(api_.networks())},
                                                    {"nodes", nodesJson(api_.nodes())}});
}

Response ControlRoutes::nodeList() {
    return jsonReply(http::status::ok, json::object{{"nodes", nodesJson(api_.nodes())}});
}

std::string ControlRoutes::unknownNode(std::string_view name) {
    std::vector<std::string> names;
    for (const auto& n : api_.nodes()) {
        names.push_back(n.name);
    }
    std::string message = "no node '" + clientText(name) + "' in the spec";
    if (auto close = spec::detail::closestMatch(name, names)) {
        message += "; did you mean '" + *close + "'?";
    }
    return message;
}

Response ControlRoutes::node(std::string_view name) {
    if (auto found = api_.node(name)) {
        return jsonReply(http::status::ok, toJson(*found));
    }
    return errorReply(http::status::not_found, unknownNode(name));
}

Response ControlRoutes::plan() {
    return jsonReply(http::status::ok, toJson(api_.plan()));
}

asio::awaitable<Response> ControlRoutes::events(const Target& target) {
    std::uint64_t since = 0;
    std::size_t limit = options_.maxEventsPerReply;
    if (auto found = target.query.find("since"); found != target.query.end()) {
        const auto value = parseUnsigned(found->second);
        if (!value) {
            co_return errorReply(
                http::status::bad_request,
                "since: '" + clientText(found->second) + "' is not an event sequence number");
        }
        since = *value;
    }
    if (auto found = target.query.find("limit"); found != target.query.end()) {
        const auto value = parseUnsigned(found->second);
        if (!value || *value == 0 || *value > options_.maxEventsPerReply) {
            co_return errorReply(http::status::bad_request,
                                 "limit: '" + clientText(found->second) +
                                     "' is not a number from 1 to " +
                                     std::to_string(options_.maxEventsPerReply));
        }
        limit = static_cast<std::size_t>(*value);
    }
    const auto wait = waitParameter(target, options_.maxWait);
    if (!wait.error.empty()) {
        co_return errorReply(http::status::bad_request, wait.error);
    }

    auto found = api_.events(since, limit);
    // A `since` beyond the last event means the daemon restarted (sequences began again):
    // answer at once with `last`, so the follower can start over instead of waiting for nothing.
    while (found.empty() && wait.deadline && !stopping_ && since <= api_.lastEventSequence() &&
           SteadyClock::now() < *wait.deadline) {
        co_await events_.wait(*wait.deadline);
        found = api_.events(since, limit);
    }
    if (found.empty() && stopping_) {
        co_return errorReply(http::status::service_unavailable, "chainvisord is shutting down");
    }
    co_return jsonReply(http::status::ok, json::object{{"events", toJson(found)},
                                                       {"last", api_.lastEventSequence()}});
}

asio::awaitable<Response> ControlRoutes::reconcile(const Request& request, const Target& target,
                                                   Change& change) {
    const auto wait = waitParameter(target, options_.maxWait);
    auto error = wait.error.empty() ? expectNoArguments(request) : wait.error;
    if (!error.empty()) {
        change.outcome(AuditOutcome::Error, error);
        co_return errorReply(http::status::bad_request, error);
    }
    const std::uint64_t pass = api_.reconcile();
    change.outcome(AuditOutcome::Ok, "pass " + std::to_string(pass) + " requested");
    while (passesCompleted() < pass && wait.deadline && !stopping_ &&
           SteadyClock::now() < *wait.deadline) {
        co_await passes_.wait(*wait.deadline);
    }
    const bool completed = passesCompleted() >= pass;
    if (!completed && wait.deadline && stopping_) {
        co_return errorReply(
            http::status::service_unavailable,
            "chainvisord is shutting down; pass " + std::to_string(pass) + " will not complete");
    }
    co_return jsonReply(http::status::ok, json::object{{"pass", pass},
                                                       {"completed", completed},
                                                       {"passesCompleted", passesCompleted()}});
}

Response ControlRoutes::pauseOrResume(bool pause, const Request& request, Change& change) {
    std::string error;
    const auto node = nodeArgument(request, error);
    if (!error.empty()) {
        change.outcome(AuditOutcome::Error, error);
        return errorReply(http::status::bad_request, error);
    }
    change.record.node = clientText(node.value_or(""));
    const bool done = pause ? api_.pause(node) : api_.resume(node);
    if (!done) {
        const auto message = node ? unknownNode(*node) : std::string("nothing to change");
        change.outcome(AuditOutcome::Error, message);
        return errorReply(http::status::not_found, message);
    }
    const std::string what =
        std::string(pause ? "paused " : "resumed ") + (node ? *node : std::string("everything"));
    change.outcome(AuditOutcome::Ok, what);
    return jsonReply(http::status::ok,
                     json::object{{"ok", true},
                                  {pause ? "paused" : "resumed",
                                   node ? json::value(*node) : json::value(nullptr)}});
}

Response ControlRoutes::reload(const Request& request, Change& change) {
    if (auto error = expectNoArguments(request); !error.empty()) {
        change.outcome(AuditOutcome::Error, error);
        return errorReply(http::status::bad_request, error);
    }
    if (auto problem = api_.reload(); !problem.empty()) {
        const auto message = "reload refused: " + problem + "; still running the previous spec";
        change.outcome(AuditOutcome::Error, message);
        return errorReply(http::status::unprocessable_entity, message);
    }
    change.outcome(AuditOutcome::Ok, "reloaded");
    return jsonReply(http::status::ok, json::object{{"ok", true}});
}

}  // namespace chainvisor::control
