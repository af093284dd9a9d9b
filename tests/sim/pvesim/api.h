// The API as pveproxy + pvedaemon present it: authentication, routing, permission checks,
// proxying to the owning node (595 when it is down), parameter validation, the {"data": …}
// envelope with errors in the reason phrase, worker tasks with their config locks, fault
// injection and the /_sim control endpoints. One io_context thread runs all of it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "args.h"
#include "auth.h"
#include "faults.h"
#include "locks.h"
#include "params.h"
#include "state.h"
#include "stats.h"
#include "tasks.h"

namespace pvesim {

struct ApiRequest {
    std::string method;
    std::string target;  // path and query, as received
    std::string body;
    std::string content_type;
    std::string authorization;
    std::string cookie;
};

struct ApiResponse {
    enum class Drop { None, Before, After };
    int status = 200;
    std::string reason = "OK";
    std::string body;  // empty: no content (401, proxy errors, …)
    std::chrono::milliseconds delay{0};
    Drop drop = Drop::None;
    std::string user;  // the authenticated token, for the access log
};

struct Call {
    std::string method;
    std::string route;  // "GET /nodes/{node}/lxc/{vmid}/config"
    Params params;      // query + body + path placeholders
    const Token* token = nullptr;
    std::string user;  // "root@pam!chainvisor"
};

struct Result {
    boost::json::value data;
    std::optional<std::int64_t> total;
};

class Api {
public:
    Api(boost::asio::any_io_executor ex, const Options& options, std::string ssl_fingerprint);

    boost::asio::awaitable<ApiResponse> handle(ApiRequest request);

    Cluster& cluster() { return cluster_; }
    Faults& faults() { return faults_; }
    Stats& stats() { return stats_; }
    TaskRegistry& tasks() { return tasks_; }
    ConfigLocks& locks() { return locks_; }
    std::int64_t now() const;

    // Sets the fault spec and the nodes' reachability from it.
    void set_faults(FaultSpec spec);

private:
    using Handler = boost::asio::awaitable<Result> (Api::*)(Call&);
    struct Perm {
        std::string path;  // "/vms/{vmid}", "/nodes/{node}" or "" (checked in the handler)
        std::vector<std::string> privs;
        bool any = false;
    };
    struct Route {
        std::string method;
        std::string pattern;
        Handler handler;
        Perm perm;
        bool proxy = false;  // proxyto node
        Schema schema;
    };

    void add_routes();
    boost::asio::awaitable<ApiResponse> handle_api(ApiRequest& req, const std::string& path,
                                                   const std::string& query);
    boost::asio::awaitable<ApiResponse> handle_sim(ApiRequest& req, const std::string& path,
                                                   const std::string& query);
    void check_permission(const Call& call, const Perm& perm) const;
    bool allowed(const Call& call, const std::string& priv) const;
    void check_node(const std::string& node) const;
    std::chrono::milliseconds task_duration() const;
    std::chrono::milliseconds lock_wait() const;
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
    boost::asio::awaitable<std::shared_ptr<LockGuard>> lock_or_die(int vmid,
                                                                   std::chrono::milliseconds wait,
                                                                   const std::string& prefix);
    std::string task_failure(const std::string& type, int vmid) const;

    // Starts a worker task and returns its UPID; `body` runs as the task (an ApiError or other
    // exception thrown by it becomes the task's error).
    using TaskBody = std::function<boost::asio::awaitable<void>(Task&)>;
    std::string fork_worker(const std::string& node, const std::string& type, int vmid,
                            const std::string& user, TaskBody body);
    boost::asio::awaitable<void> run_task(std::string upid, TaskBody body);

    // --- handlers: cluster, nodes, tasks ---
    boost::asio::awaitable<Result> get_index(Call& c);
    boost::asio::awaitable<Result> get_version(Call& c);
    boost::asio::awaitable<Result> get_nodes(Call& c);
    boost::asio::awaitable<Result> get_node_index(Call& c);
    boost::asio::awaitable<Result> get_node_status(Call& c);
    boost::asio::awaitable<Result> get_storage(Call& c);
    boost::asio::awaitable<Result> get_cluster_status(Call& c);
    boost::asio::awaitable<Result> get_resources(Call& c);
    boost::asio::awaitable<Result> get_nextid(Call& c);
    boost::asio::awaitable<Result> get_tasks(Call& c);
    boost::asio::awaitable<Result> get_task_index(Call& c);
    boost::asio::awaitable<Result> get_task_status(Call& c);
    boost::asio::awaitable<Result> get_task_log(Call& c);
    boost::asio::awaitable<Result> post_ticket(Call& c);

    // --- handlers: containers ---
    boost::asio::awaitable<Result> get_lxc_list(Call& c);
    boost::asio::awaitable<Result> post_lxc_create(Call& c);
    boost::asio::awaitable<Result> get_lxc_index(Call& c);
    boost::asio::awaitable<Result> delete_lxc(Call& c);
    boost::asio::awaitable<Result> get_lxc_config(Call& c);
    boost::asio::awaitable<Result> put_lxc_config(Call& c);
    boost::asio::awaitable<Result> get_lxc_pending(Call& c);
    boost::asio::awaitable<Result> get_lxc_status_index(Call& c);
    boost::asio::awaitable<Result> get_lxc_status(Call& c);
    boost::asio::awaitable<Result> post_lxc_start(Call& c);
    boost::asio::awaitable<Result> post_lxc_stop(Call& c);
    boost::asio::awaitable<Result> post_lxc_shutdown(Call& c);
    boost::asio::awaitable<Result> post_lxc_reboot(Call& c);
    boost::asio::awaitable<Result> put_lxc_resize(Call& c);
    boost::asio::awaitable<Result> get_snapshots(Call& c);
    boost::asio::awaitable<Result> post_snapshot(Call& c);
    boost::asio::awaitable<Result> get_snapshot_index(Call& c);
    boost::asio::awaitable<Result> get_snapshot_config(Call& c);
    boost::asio::awaitable<Result> delete_snapshot(Call& c);
    boost::asio::awaitable<Result> post_rollback(Call& c);
    boost::asio::awaitable<Result> stop_like(Call& c, const std::string& type);

    boost::asio::any_io_executor ex_;
    Options options_;
    std::string fingerprint_;
    Cluster cluster_;
    Faults faults_;
    Stats stats_;
    TaskRegistry tasks_;
    ConfigLocks locks_;
    std::vector<Route> routes_;
};

}  // namespace pvesim
