// The control protocol's endpoints: what each request means and what it answers. Transport
// (sockets, timeouts, connection limits, the audit file) is the server's; this is HTTP
// semantics over a ControlApi.
//
//   GET  /v1/status                       summary and every node
//   GET  /v1/nodes                        every node
//   GET  /v1/nodes/{name}                 one node (404 with a suggestion)
//   GET  /v1/plan                         the last pass's plan
//   GET  /v1/events?since=N&limit=M&wait=S  events after N; with wait, a long-poll
//   POST /v1/reconcile?wait=S             request a pass; with wait, until it completed
//   POST /v1/pause   {"node": "val1"}     body optional: without it, everything
//   POST /v1/resume  {"node": "val1"}
//   POST /v1/reload
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>

#include "control/audit_log.h"
#include "control/control_api.h"
#include "control/peer_credentials.h"
#include "control/replies.h"
#include "control/server_options.h"
#include "control/target.h"
#include "control/wake_signal.h"

namespace chainvisor::control {

struct Handled {
    Response response;
    // Set for every request that asked to change something (POST), whatever came of it; `who`
    // is left for the server to resolve off the io thread.
    std::optional<AuditRecord> audit;
};

class ControlRoutes {
public:
    ControlRoutes(boost::asio::any_io_executor executor, ControlApi& api,
                  const ControlServerOptions& options, const Authorizer& authorizer);

    boost::asio::awaitable<Handled> handle(const Request& request, const PeerCredentials& peer);

    // Wake the long-polls waiting for them. Io thread only.
    void notifyEvents();
    void notifyPassCompleted(std::uint64_t pass);
    // From now on every request gets 503, and waiting long-polls end with it.
    void stop();
    bool stopping() const { return stopping_; }

    std::size_t waiting() const { return events_.waiting() + passes_.waiting(); }

private:
    struct Change;  // a POST's audit record in the making

    boost::asio::awaitable<Response> route(const Request& request, const PeerCredentials& peer,
                                           Change& change);
    Response status();
    Response nodeList();
    Response node(std::string_view name);
    Response plan();
    boost::asio::awaitable<Response> events(const Target& target);
    boost::asio::awaitable<Response> reconcile(const Request& request, const Target& target,
                                               Change& change);
    Response pauseOrResume(bool pause, const Request& request, Change& change);
    Response reload(const Request& request, Change& change);
    std::string unknownNode(std::string_view name);
    std::uint64_t passesCompleted();

    ControlApi& api_;
    const ControlServerOptions& options_;
    const Authorizer& authorizer_;
    WakeSignal events_;
    WakeSignal passes_;
    std::uint64_t passesNotified_ = 0;
    bool stopping_ = false;
};

}  // namespace chainvisor::control
