#include "api.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <regex>

#include "api_error.h"
#include "ct_schema.h"
#include "request_params.h"
#include "upid.h"

namespace pvesim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

Prop p_string(const char* name, bool optional = true) {
    Prop p;
    p.name = name;
    p.optional = optional;
    return p;
}

Prop p_bool(const char* name) {
    Prop p;
    p.name = name;
    p.type = Type::Boolean;
    return p;
}

Prop p_int(const char* name, std::optional<double> min = std::nullopt,
           std::optional<double> max = std::nullopt) {
    Prop p;
    p.name = name;
    p.type = Type::Integer;
    p.minimum = min;
    p.maximum = max;
    return p;
}

Prop p_enum(const char* name, std::vector<std::string> values, bool optional = true) {
    Prop p;
    p.name = name;
    p.enumeration = std::move(values);
    p.optional = optional;
    return p;
}

Prop p_snapname() {
    Prop p;
    p.name = "snapname";
    p.optional = false;
    p.format = &format_snapshot_name;
    p.max_length = 40;
    return p;
}

Prop p_digest() {
    Prop p;
    p.name = "digest";
    p.max_length = 40;
    return p;
}

Schema node_schema() {
    return Schema{opt_node()};
}
Schema ct_schema() {
    return Schema{opt_node(), opt_vmid()};
}

std::string error_body(const ApiError& e) {
    json::object o;
    o["data"] = nullptr;
    if (!e.errors.empty()) {
        json::object errs;
        for (const auto& [k, v] : e.errors) {
            errs[k] = v;
        }
        o["errors"] = std::move(errs);
    }
    std::string msg = e.what();
    if (msg.empty() || msg.back() != '\n') {
        msg += "\n";
    }
    o["message"] = msg;
    return json::serialize(o);
}

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

ApiResponse plain_error(int status, const std::string& reason) {
    ApiResponse r;
    r.status = status;
    r.reason = first_line(reason);
    return r;
}

ApiResponse json_error(const ApiError& e) {
    ApiResponse r;
    r.status = e.status;
    r.reason = first_line(e.what());
    if (e.status < 595) {
        r.body = error_body(e);
    }
    return r;
}

}  // namespace

Api::Api(asio::any_io_executor ex, const Options& options, std::string ssl_fingerprint)
    : ex_(ex),
      options_(options),
      fingerprint_(std::move(ssl_fingerprint)),
      cluster_(options.nodes,
               options.seed != 0
                   ? options.seed
                   : static_cast<std::uint64_t>(
                         std::chrono::steady_clock::now().time_since_epoch().count())),
      locks_(ex) {
    set_faults(options.faults);
    add_routes();
}

std::int64_t Api::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void Api::set_faults(FaultSpec spec) {
    for (const auto& n : cluster_.nodes()) {
        if (NodeState* s = cluster_.node(n.name)) {
            s->online = spec.offline.count(n.name) == 0;
        }
    }
    faults_.set(std::move(spec));
}

std::chrono::milliseconds Api::task_duration() const {
    return std::chrono::milliseconds(static_cast<long long>(options_.task_seconds * 1000.0));
}

std::chrono::milliseconds Api::lock_wait() const {
    return std::chrono::milliseconds(static_cast<long long>(options_.lock_wait_seconds * 1000.0));
}

asio::awaitable<void> Api::sleep(std::chrono::milliseconds d) {
    if (d.count() <= 0) {
        co_return;
    }
    asio::steady_timer timer(ex_);
    timer.expires_after(d);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<std::shared_ptr<LockGuard>> Api::lock_or_die(int vmid,
                                                             std::chrono::milliseconds wait,
                                                             const std::string& prefix) {
    if (faults_.roll(faults_.spec().locktimeout)) {
        die(prefix + ConfigLocks::timeout_message(vmid));
    }
    auto guard = co_await locks_.acquire(vmid, wait);
    if (!guard) {
        die(prefix + ConfigLocks::timeout_message(vmid));
    }
    co_return guard;
}

std::string Api::fork_worker(const std::string& node, const std::string& type, int vmid,
                             const std::string& user, TaskBody body) {
    Task& task = tasks_.start(node, type, vmid == 0 ? "" : std::to_string(vmid), user, now());
    asio::co_spawn(ex_, run_task(task.upid, std::move(body)), asio::detached);
    return task.upid;
}

asio::awaitable<void> Api::run_task(std::string upid, TaskBody body) {
    std::string error;
    try {
        co_await body(*tasks_.find(upid));
    } catch (const ApiError& e) {
        error = e.what();
    } catch (const std::exception& e) {
        error = e.what();
    }
    TaskRegistry::finish(*tasks_.find(upid), error, now());
}

std::string Api::task_failure(const std::string& type, int vmid) const {
    std::string id = std::to_string(vmid);
    if (type == "vzcreate") {
        return "command 'lxc-usernsexec -m u:0:100000:65536 -m g:0:100000:65536 -- tar xpf - "
               "--zstd --totals --one-file-system -p --sparse --numeric-owner -C /var/lib/lxc/" +
               id + "/rootfs --skip-old-files --anchored --exclude './dev/*'' failed: exit code 2";
    }
    if (type == "vzstart" || type == "vzreboot") {
        return "command 'lxc-start -F -n " + id + "' failed: exit code 1";
    }
    if (type == "vzstop") {
        return "command 'lxc-stop -n " + id + " --kill' failed: exit code 1";
    }
    if (type == "vzshutdown") {
        return "command 'lxc-stop -n " + id + " --timeout 60' failed: exit code 1";
    }
    if (type == "resize") {
        return "command '/sbin/lvextend -L +1048576k pve/vm-" + id + "-disk-0' failed: exit code 5";
    }
    if (type == "vzdestroy") {
        return "lvremove 'pve/vm-" + id + "-disk-0' error:   Logical volume pve/vm-" + id +
               "-disk-0 in use.";
    }
    return "command '/sbin/lvcreate --snapshot --name snap_vm-" + id + "-disk-0 pve/vm-" + id +
           "-disk-0' failed: exit code 5";
}

bool Api::allowed(const Call& call, const std::string& priv) const {
    return call.token != nullptr && has_privilege(call.token->role, priv);
}

void Api::check_permission(const Call& call, const Perm& perm) const {
    if (perm.privs.empty()) {
        return;
    }
    std::string path = perm.path;
    for (const char* key : {"vmid", "node"}) {
        std::string ph = std::string("{") + key + "}";
        auto pos = path.find(ph);
        if (pos != std::string::npos) {
            auto it = call.params.find(key);
            path.replace(pos, ph.size(), it == call.params.end() ? "" : it->second);
        }
    }
    bool ok = perm.any ? false : true;
    for (const auto& p : perm.privs) {
        if (perm.any) {
            ok = ok || allowed(call, p);
        } else {
            ok = ok && allowed(call, p);
        }
    }
    if (!ok) {
        std::string privs;
        for (const auto& p : perm.privs) {
            privs += (privs.empty() ? "" : (perm.any ? "|" : ",")) + p;
        }
        permission_error(path + ", " + privs);
    }
}

void Api::check_node(const std::string& node) const {
    const NodeState* n = cluster_.node(node);
    if (n == nullptr) {
        die("hostname lookup '" + node + "' failed - failed to get address info for: " + node +
            ": Name or service not known");
    }
    if (!n->online) {
        throw ApiError(595, "Connection refused");
    }
}

void Api::add_routes() {
    Schema none;
    Schema node = node_schema();
    Schema ct = ct_schema();
    auto r = [&](const char* method, const char* pattern, Handler h, Perm perm, bool proxy,
                 Schema schema) {
        routes_.push_back(Route{method, pattern, h, std::move(perm), proxy, std::move(schema)});
    };
    const Perm no_perm;
    const Perm vm_audit{"/vms/{vmid}", {"VM.Audit"}, false};
    const Perm vm_power{"/vms/{vmid}", {"VM.PowerMgmt"}, false};
    const Perm vm_snapshot{"/vms/{vmid}", {"VM.Snapshot"}, false};

    r("GET", "/", &Api::get_index, no_perm, false, none);
    r("GET", "/version", &Api::get_version, no_perm, false, none);
    r("GET", "/nodes", &Api::get_nodes, no_perm, false, none);
    r("GET", "/nodes/{node}", &Api::get_node_index, no_perm, false, node);
    r("GET", "/nodes/{node}/status", &Api::get_node_status, {"/nodes/{node}", {"Sys.Audit"}}, true,
      node);
    {
        Schema s = node;
        s.add(p_string("content"));
        s.add(p_bool("enabled"));
        s.add(p_bool("format"));
        Prop storage = p_string("storage");
        storage.format = &format_storage_id;
        s.add(storage);
        Prop target = opt_node();
        target.name = "target";
        target.optional = true;
        s.add(target);
        r("GET", "/nodes/{node}/storage", &Api::get_storage, no_perm, true, s);
    }
    r("GET", "/cluster/status", &Api::get_cluster_status, {"/", {"Sys.Audit"}}, false, none);
    r("GET", "/cluster/resources", &Api::get_resources, no_perm, false,
      Schema{p_enum("type", {"vm", "storage", "node", "sdn"})});
    {
        Prop vmid = opt_vmid();
        vmid.optional = true;
        r("GET", "/cluster/nextid", &Api::get_nextid, no_perm, false, Schema{vmid});
    }
    {
        Schema s = node;
        s.add(p_int("start", 0)).add(p_int("limit", 0)).add(p_string("typefilter"));
        s.add(p_string("userfilter")).add(p_bool("errors"));
        s.add(p_enum("source", {"archive", "active", "all"})).add(p_int("since"));
        s.add(p_int("until")).add(p_string("statusfilter"));
        Prop vmid = opt_vmid();
        vmid.optional = true;
        s.add(vmid);
        r("GET", "/nodes/{node}/tasks", &Api::get_tasks, no_perm, true, s);
    }
    {
        Schema s = node;
        s.add(p_string("upid", false));
        r("GET", "/nodes/{node}/tasks/{upid}", &Api::get_task_index, no_perm, true, s);
        r("GET", "/nodes/{node}/tasks/{upid}/status", &Api::get_task_status, no_perm, true, s);
        s.add(p_int("start", 0)).add(p_int("limit", 0)).add(p_bool("download"));
        r("GET", "/nodes/{node}/tasks/{upid}/log", &Api::get_task_log, no_perm, true, s);
    }
    {
        Schema s{p_string("username", false),
                 p_string("password", false),
                 p_string("realm"),
                 p_string("otp"),
                 p_string("path"),
                 p_string("privs"),
                 p_bool("new-format"),
                 p_string("tfa-challenge")};
        r("POST", "/access/ticket", &Api::post_ticket, no_perm, false, s);
    }

    // Containers.
    r("GET", "/nodes/{node}/lxc", &Api::get_lxc_list, no_perm, true, node);
    {
        Schema s = ct_config_schema();
        s.add(opt_node()).add(opt_vmid());
        Prop ostemplate = p_string("ostemplate", false);
        ostemplate.max_length = 255;
        s.add(ostemplate);
        Prop password = p_string("password");
        password.min_length = 5;
        s.add(password);
        Prop storage = p_string("storage");
        storage.format = &format_storage_id;
        s.add(storage);
        s.add(p_bool("force")).add(p_bool("restore")).add(p_bool("unique"));
        Prop pool = p_string("pool");
        pool.format = &format_poolid;
        s.add(pool);
        s.add(p_bool("ignore-unpack-errors")).add(p_string("ssh-public-keys"));
        Prop bwlimit = p_string("bwlimit");
        bwlimit.type = Type::Number;
        bwlimit.minimum = 0;
        s.add(bwlimit);
        s.add(p_bool("start")).add(p_bool("ha-managed"));
        r("POST", "/nodes/{node}/lxc", &Api::post_lxc_create, no_perm, true, s);
    }
    r("GET", "/nodes/{node}/lxc/{vmid}", &Api::get_lxc_index, no_perm, true, ct);
    {
        Schema s = ct;
        s.add(p_bool("force")).add(p_bool("purge")).add(p_bool("destroy-unreferenced-disks"));
        r("DELETE", "/nodes/{node}/lxc/{vmid}", &Api::delete_lxc, {"/vms/{vmid}", {"VM.Allocate"}},
          true, s);
    }
    {
        Schema s = ct;
        s.add(p_bool("current"));
        Prop snap = p_snapname();
        snap.name = "snapshot";
        snap.optional = true;
        s.add(snap);
        r("GET", "/nodes/{node}/lxc/{vmid}/config", &Api::get_lxc_config, vm_audit, true, s);
    }
    {
        Schema s = ct_config_schema();
        s.add(opt_node()).add(opt_vmid());
        Prop del = p_string("delete");
        del.format = &format_configid_list;
        s.add(del);
        Prop revert = p_string("revert");
        revert.format = &format_configid_list;
        s.add(revert);
        s.add(p_digest());
        r("PUT", "/nodes/{node}/lxc/{vmid}/config", &Api::put_lxc_config,
          {"/vms/{vmid}",
           {"VM.Config.Disk", "VM.Config.CPU", "VM.Config.Memory", "VM.Config.Network",
            "VM.Config.Options"},
           true},
          true, s);
    }
    r("GET", "/nodes/{node}/lxc/{vmid}/pending", &Api::get_lxc_pending, vm_audit, true, ct);
    r("GET", "/nodes/{node}/lxc/{vmid}/status", &Api::get_lxc_status_index, no_perm, true, ct);
    r("GET", "/nodes/{node}/lxc/{vmid}/status/current", &Api::get_lxc_status, vm_audit, true, ct);
    {
        Schema s = ct;
        s.add(p_bool("skiplock"));
        s.add(p_bool("debug"));
        r("POST", "/nodes/{node}/lxc/{vmid}/status/start", &Api::post_lxc_start, vm_power, true, s);
    }
    {
        Schema s = ct;
        s.add(p_bool("skiplock"));
        s.add(p_bool("overrule-shutdown"));
        r("POST", "/nodes/{node}/lxc/{vmid}/status/stop", &Api::post_lxc_stop, vm_power, true, s);
    }
    {
        Schema s = ct;
        s.add(p_int("timeout", 0));
        s.add(p_bool("forceStop"));
        r("POST", "/nodes/{node}/lxc/{vmid}/status/shutdown", &Api::post_lxc_shutdown, vm_power,
          true, s);
    }
    {
        Schema s = ct;
        s.add(p_int("timeout", 0));
        r("POST", "/nodes/{node}/lxc/{vmid}/status/reboot", &Api::post_lxc_reboot, vm_power, true,
          s);
    }
    {
        Schema s = ct;
        std::vector<std::string> disks{"rootfs"};
        for (int i = 0; i < kMaxMountPoints; ++i) {
            disks.push_back("mp" + std::to_string(i));
        }
        s.add(p_enum("disk", disks, false));
        Prop size = p_string("size", false);
        size.pattern = "\\+?[0-9]+(\\.[0-9]+)?[KMGT]?";
        s.add(size);
        s.add(p_digest());
        r("PUT", "/nodes/{node}/lxc/{vmid}/resize", &Api::put_lxc_resize,
          {"/vms/{vmid}", {"VM.Config.Disk"}}, true, s);
    }
    r("GET", "/nodes/{node}/lxc/{vmid}/snapshot", &Api::get_snapshots, vm_audit, true, ct);
    {
        Schema s = ct;
        s.add(p_snapname());
        s.add(p_string("description"));
        r("POST", "/nodes/{node}/lxc/{vmid}/snapshot", &Api::post_snapshot, vm_snapshot, true, s);
    }
    {
        Schema s = ct;
        s.add(p_snapname());
        r("GET", "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}", &Api::get_snapshot_index, no_perm,
          true, s);
        r("GET", "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config", &Api::get_snapshot_config,
          vm_snapshot, true, s);
        Schema d = s;
        d.add(p_bool("force"));
        r("DELETE", "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}", &Api::delete_snapshot,
          vm_snapshot, true, d);
        Schema rb = s;
        rb.add(p_bool("start"));
        r("POST", "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback", &Api::post_rollback,
          {"/vms/{vmid}", {"VM.Snapshot", "VM.Snapshot.Rollback"}, true}, true, rb);
    }
}

asio::awaitable<ApiResponse> Api::handle(ApiRequest req) {
    std::string path = req.target.substr(0, req.target.find('?'));
    std::string query = req.target.find('?') == std::string::npos
                            ? ""
                            : req.target.substr(req.target.find('?') + 1);
    if (req.method != "GET" && req.method != "POST" && req.method != "PUT" &&
        req.method != "DELETE") {
        co_return plain_error(501, "method '" + req.method + "' not available");
    }
    if (path.rfind("/api2", 0) == 0) {
        co_return co_await handle_api(req, path, query);
    }
    if (path.rfind("/_sim/", 0) == 0) {
        co_return co_await handle_sim(req, path, query);
    }
    co_return plain_error(501, "no such file '" + path + "'");
}

asio::awaitable<ApiResponse> Api::handle_api(ApiRequest& req, const std::string& path,
                                             const std::string& query) {
    static const std::regex split("/api2/+([a-z][a-z0-9]+)(/.*)?");
    std::smatch m;
    if (!std::regex_match(path, m, split)) {
        co_return plain_error(501, "no such uri");
    }
    std::string format = m[1].str();
    std::string rel = m[2].matched ? m[2].str() : "/";

    // Find the route first (only for the statistics' sake: auth comes before it in pveproxy).
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> captures;
    for (const auto& r : routes_) {
        if (r.method == req.method && match_path(r.pattern, rel, captures)) {
            route = &r;
            break;
        }
    }
    std::string route_key = req.method + " " + (route != nullptr ? route->pattern : "(no route)");
    if (route == nullptr) {
        captures.clear();
    }

    bool exempt = (rel == "/access/domains" && req.method == "GET") ||
                  (rel == "/access/ticket" && (req.method == "GET" || req.method == "POST"));
    Call call;
    call.method = req.method;
    call.route = route_key;
    if (!exempt) {
        AuthResult auth = authenticate(options_.tokens, req.authorization, req.cookie);
        if (auth.token == nullptr) {
            stats_.count(route_key, 401);
            ApiResponse r = plain_error(401, auth.reason);
            r.delay = std::chrono::milliseconds(options_.auth_fail_delay_ms);
            co_return r;
        }
        call.token = auth.token;
        call.user = auth.token->id();
    }
    if (!req.body.empty()) {
        // pveproxy reads a body only for POST and PUT, and only in the two encodings it knows.
        std::string ct = req.content_type.substr(0, req.content_type.find(';'));
        while (!ct.empty() && ct.back() == ' ') {
            ct.pop_back();
        }
        if (req.method != "POST" && req.method != "PUT") {
            stats_.count(route_key, 501);
            co_return plain_error(501, "Unexpected content for method '" + req.method + "'");
        }
        if (!ct.empty() && ct != "application/x-www-form-urlencoded" && ct != "application/json") {
            stats_.count(route_key, 506);
            co_return plain_error(
                506, "upload 'Content-Type '" + req.content_type + "' not implemented");
        }
    }
    if (format != "json") {
        stats_.count(route_key, 501);
        co_return plain_error(501, "no formatter for uri " + rel + ", " + format);
    }

    ApiResponse resp;
    resp.user = call.user;
    const FaultSpec& f = faults_.spec();
    if (faults_.roll(f.reset)) {
        stats_.count(route_key, 0);
        resp.drop = ApiResponse::Drop::Before;
        co_return resp;
    }
    if (faults_.roll(f.error5xx)) {
        ApiError e = req.method == "GET"
                         ? ApiError(596, "Connection timed out")
                         : ApiError(500, "got no worker upid - start worker failed");
        resp = json_error(e);
    } else {
        try {
            if (route == nullptr) {
                throw ApiError(501, "Method '" + req.method + " " + rel + "' not implemented");
            }
            std::string perr;
            auto params = request_params(req.method, req.content_type, req.body, query, perr);
            if (!params) {
                throw ApiError(501, perr);
            }
            call.params = std::move(*params);
            Errors dup;
            for (const auto& [k, v] : captures) {
                if (call.params.count(k) != 0) {
                    dup[k] = "duplicate parameter (already defined in URI)";
                }
                call.params[k] = v;
            }
            if (!dup.empty()) {
                param_error(dup);
            }
            check_permission(call, route->perm);
            if (route->proxy) {
                check_node(call.params["node"]);
            }
            Errors errors = validate(route->schema, call.params);
            if (!errors.empty()) {
                param_error(errors);
            }
            Result result = co_await (this->*(route->handler))(call);
            json::object o;
            o["data"] = std::move(result.data);
            if (result.total) {
                o["total"] = *result.total;
            }
            resp.status = 200;
            resp.reason = "OK";
            resp.body = json::serialize(o);
        } catch (const ApiError& e) {
            resp = json_error(e);
            resp.user = call.user;
        }
    }
    if (resp.status == 401) {
        resp.delay = std::chrono::milliseconds(options_.auth_fail_delay_ms);
    }
    stats_.count(route_key, resp.status);
    resp.delay += std::chrono::milliseconds(f.latency_ms);
    if (faults_.roll(f.lostreply)) {
        resp.drop = ApiResponse::Drop::After;
    }
    co_return resp;
}

asio::awaitable<ApiResponse> Api::handle_sim(ApiRequest& req, const std::string& path,
                                             const std::string& query) {
    AuthResult auth = authenticate(options_.tokens, req.authorization, req.cookie);
    if (auth.token == nullptr) {
        ApiResponse r = plain_error(401, auth.reason);
        r.delay = std::chrono::milliseconds(options_.auth_fail_delay_ms);
        co_return r;
    }
    ApiResponse resp;
    try {
        std::string perr;
        auto params = request_params(req.method, req.content_type, req.body, query, perr);
        if (!params) {
            throw ApiError(400, perr);
        }
        json::value data;
        std::vector<std::pair<std::string, std::string>> cap;
        if (path == "/_sim/faults" && (req.method == "GET" || req.method == "POST")) {
            if (req.method == "POST") {
                std::string err;
                auto spec = parse_fault_spec((*params)["spec"], err);
                if (!spec) {
                    param_error("spec", err);
                }
                for (const auto& n : spec->offline) {
                    if (cluster_.node(n) == nullptr) {
                        param_error("spec", "offline=" + n + ": no such node");
                    }
                }
                set_faults(*spec);
            }
            data = json::object{{"spec", to_string(faults_.spec())}};
        } else if (req.method == "POST" && match_path("/_sim/node/{node}/{state}", path, cap) &&
                   (cap[1].second == "offline" || cap[1].second == "online")) {
            NodeState* n = cluster_.node(cap[0].second);
            if (n == nullptr) {
                param_error("node", "no such node '" + cap[0].second + "'");
            }
            n->online = cap[1].second == "online";
            faults_.set_offline(n->name, !n->online);
        } else if (path == "/_sim/stats" && req.method == "GET") {
            json::object s = stats_.to_json();
            s["tasks"] = tasks_.size();
            s["containers"] = cluster_.containers().size();
            data = std::move(s);
        } else if (path == "/_sim/stats" && req.method == "DELETE") {
            stats_.reset();
        } else {
            throw ApiError(501, "Method '" + req.method + " " + path + "' not implemented");
        }
        resp.body = json::serialize(json::object{{"data", data}});
    } catch (const ApiError& e) {
        resp = json_error(e);
    }
    co_return resp;
}

// ---------------------------------------------------------------------------------------------
// Cluster, nodes, tasks

asio::awaitable<Result> Api::get_index(Call&) {
    json::array a;
    for (const char* s : {"version", "cluster", "nodes", "storage", "access", "pools"}) {
        a.push_back(json::object{{"subdir", s}});
    }
    co_return Result{a, {}};
}

asio::awaitable<Result> Api::get_version(Call&) {
    co_return Result{
        json::object{{"version", "8.3.2"}, {"release", "8.3"}, {"repoid", "3e76eec21c4a14a7"}}, {}};
}

asio::awaitable<Result> Api::get_nodes(Call& c) {
    json::array a;
    for (const auto& n : cluster_.nodes()) {
        json::object o = cluster_.node_entry(n, now(), allowed(c, "Sys.Audit"));
        o["ssl_fingerprint"] = fingerprint_;
        a.push_back(std::move(o));
    }
    co_return Result{a, {}};
}

asio::awaitable<Result> Api::get_node_index(Call&) {
    json::array a;
    for (const char* s : {"lxc", "status", "storage", "tasks", "version"}) {
        a.push_back(json::object{{"name", s}});
    }
    co_return Result{a, {}};
}

asio::awaitable<Result> Api::get_node_status(Call& c) {
    const NodeState* n = cluster_.node(c.params["node"]);
    json::object e = cluster_.node_entry(*n, now(), true);
    json::object o;
    o["uptime"] = e["uptime"];
    o["cpu"] = e["cpu"];
    o["loadavg"] = json::array{"0.12", "0.10", "0.08"};
    o["memory"] = json::object{{"total", e["maxmem"]},
                               {"used", e["mem"]},
                               {"free", e["maxmem"].as_uint64() - e["mem"].as_uint64()}};
    o["cpuinfo"] = json::object{{"cpus", e["maxcpu"]},
                                {"sockets", 1},
                                {"cores", e["maxcpu"]},
                                {"model", "pvesim virtual CPU"}};
    o["pveversion"] = "pve-manager/8.3.2/3e76eec21c4a14a7";
    o["kversion"] = "Linux 6.8.12-5-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-5";
    co_return Result{o, {}};
}

asio::awaitable<Result> Api::get_storage(Call& c) {
    json::array a;
    std::string content = c.params.count("content") ? c.params["content"] : "";
    for (const auto& st : cluster_.storages()) {
        if (!content.empty() && !st.has(content)) {
            continue;
        }
        if (c.params.count("storage") != 0 && c.params["storage"] != st.id) {
            continue;
        }
        if (!allowed(c, "Datastore.Audit")) {
            continue;
        }
        std::string cont;
        for (const auto& x : st.content) {
            cont += (cont.empty() ? "" : ",") + x;
        }
        json::object o;
        o["storage"] = st.id;
        o["type"] = st.type;
        o["content"] = cont;
        o["active"] = 1;
        o["enabled"] = 1;
        o["shared"] = 0;
        o["total"] = st.total;
        o["used"] = st.total / 20;
        o["avail"] = st.total - st.total / 20;
        o["used_fraction"] = 0.05;
        a.push_back(std::move(o));
    }
    co_return Result{a, {}};
}

asio::awaitable<Result> Api::get_cluster_status(Call&) {
    json::array a;
    int online = 0;
    for (const auto& n : cluster_.nodes()) {
        online += n.online ? 1 : 0;
    }
    a.push_back(json::object{{"type", "cluster"},
                             {"id", "cluster"},
                             {"name", "pvesim"},
                             {"nodes", cluster_.nodes().size()},
                             {"quorate", online * 2 > static_cast<int>(cluster_.nodes().size())},
                             {"version", 7}});
    int id = 1;
    for (const auto& n : cluster_.nodes()) {
        a.push_back(json::object{{"type", "node"},
                                 {"id", "node/" + n.name},
                                 {"name", n.name},
                                 {"nodeid", id},
                                 {"ip", "127.0.0." + std::to_string(id)},
                                 {"online", n.online ? 1 : 0},
                                 {"local", id == 1 ? 1 : 0},
                                 {"level", ""}});
        ++id;
    }
    co_return Result{a, {}};
}

asio::awaitable<Result> Api::get_resources(Call& c) {
    std::string type = c.params.count("type") ? c.params["type"] : "";
    // A token without VM.Audit sees no guests (filtered silently, not refused).
    json::array all = cluster_.resources(type, now(), allowed(c, "VM.Audit"));
    json::array out;
    for (auto& v : all) {
        std::string t(v.as_object().at("type").as_string());
        if ((t == "node" && !allowed(c, "Sys.Audit")) ||
            (t == "storage" && !allowed(c, "Datastore.Audit"))) {
            continue;
        }
        out.push_back(std::move(v));
    }
    co_return Result{out, {}};
}

asio::awaitable<Result> Api::get_nextid(Call& c) {
    auto it = c.params.find("vmid");
    if (it != c.params.end()) {
        int vmid = std::stoi(it->second);
        if (cluster_.find(vmid) != nullptr) {
            param_error("vmid", "VM " + it->second + " already exists");
        }
        co_return Result{json::value(it->second), {}};
    }
    co_return Result{json::value(std::to_string(cluster_.next_free_vmid())), {}};
}

asio::awaitable<Result> Api::get_tasks(Call& c) {
    std::int64_t start = c.params.count("start") ? std::stoll(c.params["start"]) : 0;
    std::int64_t limit = c.params.count("limit") ? std::stoll(c.params["limit"]) : 50;
    int vmid = c.params.count("vmid") ? std::stoi(c.params["vmid"]) : 0;
    std::int64_t total = 0;
    json::array a = tasks_.list_json(c.params["node"], start, limit, vmid, total);
    if (c.params.count("typefilter") != 0) {
        json::array f;
        for (auto& v : a) {
            if (v.as_object().at("type").as_string() == c.params["typefilter"]) {
                f.push_back(v);
            }
        }
        a = std::move(f);
    }
    co_return Result{a, total};
}

asio::awaitable<Result> Api::get_task_index(Call& c) {
    co_await get_task_status(c);
    co_return Result{json::array{json::object{{"name", "log"}}, json::object{{"name", "status"}}},
                     {}};
}

asio::awaitable<Result> Api::get_task_status(Call& c) {
    const std::string& upid = c.params["upid"];
    if (!parse_upid(upid)) {
        param_error("upid", "unable to parse worker upid");
    }
    const Task* t = tasks_.find(upid);
    if (t == nullptr || t->parts.node != c.params["node"]) {
        param_error("upid", "no such task");
    }
    if (c.user != t->parts.user && !allowed(c, "Sys.Audit")) {
        permission_error("/nodes/" + c.params["node"] + ", Sys.Audit");
    }
    co_return Result{TaskRegistry::status_json(*t), {}};
}

asio::awaitable<Result> Api::get_task_log(Call& c) {
    co_await get_task_status(c);
    const Task* t = tasks_.find(c.params["upid"]);
    std::int64_t start = c.params.count("start") ? std::stoll(c.params["start"]) : 0;
    std::int64_t limit = c.params.count("limit") ? std::stoll(c.params["limit"]) : 50;
    std::int64_t total = 0;
    json::array lines = TaskRegistry::log_json(*t, start, limit, total);
    co_return Result{lines, total};
}

asio::awaitable<Result> Api::post_ticket(Call&) {
    // The simulator has no users with passwords: every login fails like a wrong password.
    throw ApiError(401, "authentication failure");
    co_return Result{};
}

}  // namespace pvesim
