#include "ctl_commands.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include "control/views_json.h"
#include "ctl_besu.h"
#include "ctl_client.h"
#include "ctl_format.h"

namespace chainvisor::ctl {
namespace {

namespace json = boost::json;

constexpr std::size_t kEventsPerRequest = 1000;
constexpr std::chrono::seconds kFollowWait{30};
constexpr std::string_view kPermissionHint =
    "changing commands need root or membership in group chainvisor; to join it: "
    "sudo adduser $USER chainvisor (then log in again)";

control::UnixSeconds now() {
    return static_cast<control::UnixSeconds>(std::time(nullptr));
}

// A path segment with everything but unreserved characters %-escaped.
std::string escapeSegment(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out += {'%', kHex[u >> 4], kHex[u & 15]};
        }
    }
    return out;
}

std::string errorText(const Reply& reply) {
    boost::system::error_code ec;
    const auto body = json::parse(reply.body, ec);
    if (!ec && body.is_object()) {
        if (const auto* error = body.get_object().if_contains("error");
            error && error->is_string()) {
            return std::string(error->get_string());
        }
    }
    return "HTTP " + std::to_string(reply.status) + " from chainvisord";
}

// One exchange with the daemon: the reply's JSON, or the exit code after saying what went wrong.
struct Answer {
    std::optional<json::value> body;
    std::string raw;
    int exit = kExitOk;
};

class Exchange {
public:
    Exchange(const CtlOptions& options, Output output) : options_(options), output_(output) {}

    Answer send(Call request) {
        if (request.deadline.count() == 0) {
            request.deadline = options_.timeout;
        }
        const auto result = call(options_.socket, request);
        if (!result.reply) {
            return {std::nullopt, {}, transportFailure(result)};
        }
        const auto& reply = *result.reply;
        if (options_.json) {
            output_.out << reply.body;
            if (!reply.body.empty() && reply.body.back() != '\n') {
                output_.out << '\n';
            }
            output_.out.flush();
        }
        if (reply.status >= 400) {
            return {std::nullopt, reply.body, daemonError(reply)};
        }
        boost::system::error_code ec;
        auto body = json::parse(reply.body, ec);
        if (ec) {
            output_.err << "chainvisorctl: chainvisord's reply is not JSON (" << ec.message()
                        << ")\n";
            return {std::nullopt, reply.body, kExitError};
        }
        return {std::move(body), reply.body, kExitOk};
    }

    std::ostream& out() { return output_.out; }
    std::ostream& err() { return output_.err; }
    bool human() const { return !options_.json; }
    bool colour() const { return output_.colour; }

private:
    int transportFailure(const CallResult& result) {
        const auto socket = options_.socket.string();
        switch (result.failure) {
            case Failure::NotRunning:
                output_.err << "chainvisorctl: chainvisord is not running (no control socket at "
                            << socket << ")\n";
                return kExitNotRunning;
            case Failure::NotAnswering:
                output_.err << "chainvisorctl: chainvisord is not answering on " << socket
                            << " (connection refused; it may have stopped or crashed)\n";
                return kExitNotRunning;
            case Failure::PermissionDenied:
                output_.err << "chainvisorctl: permission denied on " << socket
                            << ": the control socket is for root and group chainvisor; to join "
                               "it: sudo adduser $USER chainvisor (then log in again)\n";
                return kExitDenied;
            default:
                output_.err << "chainvisorctl: " << result.error << "\n";
                return kExitError;
        }
    }

    int daemonError(const Reply& reply) {
        const auto message = errorText(reply);
        output_.err << "chainvisorctl: " << message << "\n";
        if (reply.status == 403) {
            output_.err << "chainvisorctl: " << kPermissionHint << "\n";
            return kExitDenied;
        }
        if (reply.status == 503 && message.starts_with("chainvisord is shutting down")) {
            return kExitNotRunning;
        }
        return kExitError;
    }

    const CtlOptions& options_;
    Output output_;
};

std::string nodeBody(const std::optional<std::string>& node) {
    return node ? json::serialize(json::object{{"node", *node}}) : std::string();
}

int status(const CtlOptions& options, Exchange& exchange) {
    if (options.node) {
        auto answer = exchange.send({"GET", "/v1/nodes/" + escapeSegment(*options.node), {}, {}});
        if (answer.body && exchange.human()) {
            exchange.out() << formatNode(control::nodeFromJson(*answer.body), now(),
                                         exchange.colour());
        }
        return answer.exit;
    }
    auto answer = exchange.send({"GET", "/v1/status", {}, {}});
    if (answer.body && exchange.human()) {
        std::vector<control::NodeView> nodes;
        std::vector<control::NetworkView> networks;
        std::string summary;
        if (const auto* object = answer.body->if_object()) {
            if (const auto* s = object->if_contains("summary"); s && s->is_string()) {
                summary = std::string(s->get_string());
            }
            if (const auto* list = object->if_contains("nodes"); list && list->is_array()) {
                for (const auto& n : list->get_array()) {
                    nodes.push_back(control::nodeFromJson(n));
                }
            }
            if (const auto* list = object->if_contains("networks"); list && list->is_array()) {
                for (const auto& n : list->get_array()) {
                    networks.push_back(control::networkFromJson(n));
                }
            }
        }
        exchange.out() << formatStatus(summary, networks, nodes, now(), exchange.colour());
    }
    return answer.exit;
}

int plan(const CtlOptions& options, Exchange& exchange) {
    auto answer = exchange.send({"GET", "/v1/plan", {}, {}});
    if (!answer.body) {
        return answer.exit;
    }
    const auto view = control::planFromJson(*answer.body);
    if (exchange.human()) {
        exchange.out() << formatPlan(view, now(), exchange.colour());
    }
    return options.exitCode && !view.actions.empty() ? kExitPlanActions : kExitOk;
}

int events(const CtlOptions& options, Exchange& exchange) {
    std::uint64_t since = options.since;
    while (true) {
        std::string target = "/v1/events?since=" + std::to_string(since) +
                             "&limit=" + std::to_string(kEventsPerRequest);
        Call request{"GET", target, {}, {}};
        if (options.follow) {
            request.target += "&wait=" + std::to_string(kFollowWait.count());
            request.deadline = options.timeout + kFollowWait;
        }
        auto answer = exchange.send(request);
        if (!answer.body) {
            return answer.exit;
        }
        std::vector<control::EventView> found;
        std::uint64_t last = 0;
        if (const auto* object = answer.body->if_object()) {
            if (const auto* list = object->if_contains("events"); list && list->is_array()) {
                for (const auto& e : list->get_array()) {
                    found.push_back(control::eventFromJson(e));
                }
            }
            if (const auto* l = object->if_contains("last"); l && l->is_number()) {
                last = l->to_number<std::uint64_t>();
            }
        }
        if (exchange.human()) {
            for (const auto& e : found) {
                exchange.out() << formatEvent(e);
            }
            exchange.out().flush();
        }
        if (!found.empty()) {
            since = found.back().sequence;
        } else if (last < since) {
            // The daemon restarted: its sequence numbers began again.
            if (!options.follow) {
                return kExitOk;
            }
            if (exchange.human()) {
                exchange.err()
                    << "chainvisorctl: chainvisord restarted; following its new events\n";
            }
            since = 0;
        }
        if (!options.follow && found.size() < kEventsPerRequest) {
            return kExitOk;
        }
    }
}

int pauseOrResume(const CtlOptions& options, Exchange& exchange, bool pause) {
    auto answer =
        exchange.send({"POST", pause ? "/v1/pause" : "/v1/resume", nodeBody(options.node), {}});
    if (answer.body && exchange.human()) {
        exchange.out() << (pause ? "paused " : "resumed ")
                       << (options.node ? *options.node : std::string("every node")) << "\n";
    }
    return answer.exit;
}

int reconcile(const CtlOptions& options, Exchange& exchange) {
    Call request{"POST", "/v1/reconcile", {}, {}};
    if (options.wait) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", options.wait->count() / 1000.0);
        request.target += "?wait=" + std::string(seconds);
        request.deadline = options.timeout + *options.wait;
    }
    auto answer = exchange.send(request);
    if (!answer.body) {
        return answer.exit;
    }
    std::uint64_t pass = 0;
    bool completed = false;
    if (const auto* object = answer.body->if_object()) {
        if (const auto* p = object->if_contains("pass"); p && p->is_number()) {
            pass = p->to_number<std::uint64_t>();
        }
        if (const auto* c = object->if_contains("completed"); c && c->is_bool()) {
            completed = c->get_bool();
        }
    }
    if (!options.wait) {
        if (exchange.human()) {
            exchange.out() << "pass " << pass << " requested\n";
        }
        return kExitOk;
    }
    if (!completed) {
        exchange.err() << "chainvisorctl: pass " << pass
                       << " was requested but did not complete in time\n";
        return kExitError;
    }
    if (exchange.human()) {
        exchange.out() << "pass " << pass << " completed\n";
    }
    return kExitOk;
}

int reload(Exchange& exchange) {
    auto answer = exchange.send({"POST", "/v1/reload", {}, {}});
    if (answer.body && exchange.human()) {
        exchange.out() << "reloaded\n";
    }
    return answer.exit;
}

}  // namespace

int runCommand(const CtlOptions& options, Output output) {
    Exchange exchange(options, output);
    switch (options.command) {
        case Command::Status:
            return status(options, exchange);
        case Command::Plan:
            return plan(options, exchange);
        case Command::Events:
            return events(options, exchange);
        case Command::Pause:
            return pauseOrResume(options, exchange, true);
        case Command::Resume:
            return pauseOrResume(options, exchange, false);
        case Command::Reconcile:
            return reconcile(options, exchange);
        case Command::Reload:
            return reload(exchange);
        case Command::BesuAddress:
        case Command::BesuGenesis:
            return runBesuCommand(options, output);
        case Command::Help:
        case Command::Version:
            break;
    }
    return kExitError;
}

}  // namespace chainvisor::ctl
