// The container endpoints (/nodes/{node}/lxc/…), following pve-container's API2/LXC*.pm: what is
// checked before a task is forked (synchronous errors), which calls hold the config lock for
// their whole task, and which persistent `lock:` each task sets.
#include <boost/asio/use_awaitable.hpp>

#include "api.h"
#include "api_error.h"
#include "ct_schema.h"

namespace pvesim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

int vmid_of(Call& c) {
    return std::stoi(c.params["vmid"]);
}

std::string template_file(const std::string& ostemplate) {
    auto slash = ostemplate.rfind('/');
    return slash == std::string::npos ? ostemplate : ostemplate.substr(slash + 1);
}

json::array subdirs(std::initializer_list<const char*> names, const char* key = "subdir") {
    json::array a;
    for (const char* n : names) {
        a.push_back(json::object{{key, n}});
    }
    return a;
}

void check_skiplock(Call& c) {
    if (c.params.count("skiplock") != 0 && c.params["skiplock"] == "1") {
        // Only root@pam itself may skip locks; a token never is root@pam.
        param_error("skiplock", "Only root may use this option.");
    }
}

}  // namespace

asio::awaitable<Result> Api::get_lxc_list(Call& c) {
    json::array a;
    const std::string& node = c.params["node"];
    for (const auto& [vmid, ct] : cluster_.containers()) {
        if (ct.node != node || !allowed(c, "VM.Audit")) {
            continue;  // listed only with VM.Audit on /vms/<vmid>
        }
        a.push_back(cluster_.vmstatus(ct, now()));
    }
    co_return Result{a, {}};
}

asio::awaitable<Result> Api::post_lxc_create(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string id = std::to_string(vmid);
    Params p = c.params;
    p.erase("node");
    p.erase("vmid");
    if (Container* existing = cluster_.find(vmid)) {
        std::string msg = "CT " + id + " already exists on node '" + existing->node + "'";
        // While the other create still runs, the vmlist has not caught up everywhere and the
        // check inside create_and_lock_config is the one that fires.
        auto lock = existing->conf.values.find("lock");
        if (lock != existing->conf.values.end() && lock->second == "create") {
            die("unable to create CT " + id + " - " + msg);
        }
        die(msg);
    }
    if (!allowed(c, "VM.Allocate")) {
        permission_error("");
    }
    CreatePlan plan = cluster_.prepare_create(vmid, p);
    auto guard = co_await lock_or_die(vmid, lock_wait() / 2, "unable to create CT " + id + " - ");
    if (Container* existing = cluster_.find(vmid)) {
        die("unable to create CT " + id + " - CT " + id + " already exists on node '" +
            existing->node + "'");
    }
    cluster_.reserve(node, vmid);
    std::string upid = fork_worker(
        node, "vzcreate", vmid, c.user,
        [this, vmid, guard, plan](Task& task) mutable -> asio::awaitable<void> {
            task.log.push_back("extracting archive '/var/lib/vz/template/cache/" +
                               template_file(plan.ostemplate) + "'");
            co_await sleep(task_duration());
            Container* ct = cluster_.find(vmid);
            if (ct == nullptr) {
                die("Configuration file vanished");
            }
            if (faults_.roll(faults_.spec().taskfail)) {
                cluster_.remove(vmid);  // destroy_config on error
                die(task_failure("vzcreate", vmid));
            }
            std::string hostname = plan.conf.values["hostname"];
            task.log.push_back("Total bytes read: 524288000 (500MiB, 1.2GiB/s)");
            task.log.push_back("Detected container architecture: " + plan.conf.values["arch"]);
            task.log.push_back(
                "Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...");
            task.log.push_back("done: SHA256:q3BKxk0WpaMJ6T9eBDJ9VTHs2i4ngT4X0mC3lUeb0Hc root@" +
                               hostname);
            bool start = plan.start;
            cluster_.commit_create(*ct, std::move(plan));
            if (start) {
                cluster_.apply_all_pending(*ct);
                cluster_.set_running(*ct, true, now());
            }
        });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::get_lxc_index(Call& c) {
    cluster_.load(c.params["node"], vmid_of(c));
    co_return Result{subdirs({"config", "status", "vncproxy", "termproxy", "vncwebsocket",
                              "spiceproxy", "migrate", "clone", "rrd", "rrddata", "firewall",
                              "snapshot", "resize", "interfaces", "pending"}),
                     {}};
}

asio::awaitable<Result> Api::delete_lxc(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string id = std::to_string(vmid);
    bool force = c.params.count("force") != 0 && c.params["force"] == "1";
    Container& target = cluster_.load(node, vmid);
    if (target.conf.values.count("protection") != 0 && target.conf.values["protection"] == "1") {
        die("can't remove CT " + id + " - protection mode enabled");
    }
    Cluster::check_lock(target);
    if (target.running && !force) {
        die("unable to destroy CT " + id + " - container is running");
    }
    std::string upid = fork_worker(
        node, "vzdestroy", vmid, c.user,
        [this, node, vmid, force, id](Task& task) -> asio::awaitable<void> {
            auto guard = co_await lock_or_die(vmid, lock_wait(), "");
            Container& ct = cluster_.load(node, vmid);
            Cluster::check_lock(ct);
            if (ct.running) {
                if (!force) {
                    die("unable to destroy CT " + id + " - container is running");
                }
                cluster_.set_running(ct, false, now());
            }
            ct.conf.values["lock"] = "destroyed";
            co_await sleep(task_duration());
            Container* again = cluster_.find(vmid);
            if (faults_.roll(faults_.spec().taskfail)) {
                Cluster::unlock(*again);
                die(task_failure("vzdestroy", vmid));
            }
            task.log.push_back("  Logical volume \"vm-" + id + "-disk-0\" successfully removed.");
            cluster_.remove(vmid);
        });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::get_lxc_config(Call& c) {
    Container& ct = cluster_.load(c.params["node"], vmid_of(c));
    bool current = c.params.count("current") != 0 && c.params["current"] == "1";
    if (c.params.count("snapshot") != 0) {
        if (current) {
            param_error(Errors{{"snapshot", "cannot use 'snapshot' parameter with 'current'"},
                               {"current", "cannot use 'snapshot' parameter with 'current'"}});
        }
        auto it = ct.conf.snapshots.find(c.params["snapshot"]);
        if (it == ct.conf.snapshots.end()) {
            die("snapshot '" + c.params["snapshot"] + "' does not exist");
        }
        json::object o = config_json(it->second);
        o["digest"] = ct.conf.digest();
        co_return Result{o, {}};
    }
    json::object o = config_json(ct.conf.effective(current));
    o["digest"] = ct.conf.digest();
    co_return Result{o, {}};
}

asio::awaitable<Result> Api::put_lxc_config(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    Params p = c.params;
    p.erase("node");
    p.erase("vmid");
    std::string digest = p.count("digest") ? p["digest"] : "";
    p.erase("digest");
    if (p.empty()) {
        die("no options specified");
    }
    std::vector<std::string> deletes = split_list(p.count("delete") ? p["delete"] : "");
    std::vector<std::string> reverts = split_list(p.count("revert") ? p["revert"] : "");
    p.erase("delete");
    p.erase("revert");
    const Schema& schema = ct_config_schema();
    for (const auto& k : reverts) {
        if (schema.find(k) == nullptr) {
            param_error("revert", "unknown option '" + k + "'");
        }
        if (p.count(k) != 0) {
            param_error("revert",
                        "you can't use '-" + k + "' and '-revert " + k + "' at the same time");
        }
    }
    for (const auto& k : deletes) {
        if (schema.find(k) == nullptr) {
            param_error("delete", "unknown option '" + k + "'");
        }
        if (p.count(k) != 0) {
            param_error("delete",
                        "you can't use '-" + k + "' and -delete " + k + "' at the same time");
        }
        if (std::find(reverts.begin(), reverts.end(), k) != reverts.end()) {
            param_error("delete", "you can't use '-delete " + k + "' and '-revert " + k +
                                      "' at the same time");
        }
    }
    auto guard = co_await lock_or_die(vmid, lock_wait(), "");
    Container& ct = cluster_.load(node, vmid);
    cluster_.update_config(ct, p, deletes, reverts, digest);
    co_return Result{json::value(nullptr), {}};
}

asio::awaitable<Result> Api::get_lxc_pending(Call& c) {
    Container& ct = cluster_.load(c.params["node"], vmid_of(c));
    co_return Result{cluster_.pending_list(ct), {}};
}

asio::awaitable<Result> Api::get_lxc_status_index(Call& c) {
    cluster_.load(c.params["node"], vmid_of(c));
    co_return Result{
        subdirs({"current", "start", "stop", "shutdown", "reboot", "suspend", "resume"}), {}};
}

asio::awaitable<Result> Api::get_lxc_status(Call& c) {
    Container& ct = cluster_.load(c.params["node"], vmid_of(c));
    json::object o = cluster_.vmstatus(ct, now());
    o["ha"] = json::object{{"managed", 0}};
    co_return Result{o, {}};
}

asio::awaitable<Result> Api::post_lxc_start(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string id = std::to_string(vmid);
    check_skiplock(c);
    Container* existing = cluster_.find(vmid);
    if (existing != nullptr && existing->node == node && existing->running) {
        die("CT " + id + " already running");
    }
    auto guard = co_await lock_or_die(vmid, lock_wait(), "");
    std::string upid = fork_worker(node, "vzstart", vmid, c.user,
                                   [this, node, vmid, guard](Task&) -> asio::awaitable<void> {
                                       {
                                           Container& ct = cluster_.load(node, vmid);
                                           Cluster::check_lock(ct);
                                       }
                                       co_await sleep(task_duration());
                                       if (faults_.roll(faults_.spec().taskfail)) {
                                           die(task_failure("vzstart", vmid));
                                       }
                                       Container& ct = cluster_.load(node, vmid);
                                       if (!ct.running) {
                                           cluster_.apply_all_pending(ct);
                                           cluster_.set_running(ct, true, now());
                                       }
                                   });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::stop_like(Call& c, const std::string& type) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string id = std::to_string(vmid);
    check_skiplock(c);
    Container* existing = cluster_.find(vmid);
    if (existing == nullptr || existing->node != node || !existing->running) {
        die("CT " + id + " not running");
    }
    auto guard = co_await lock_or_die(vmid, lock_wait(), "");
    std::string upid = fork_worker(node, type, vmid, c.user,
                                   [this, node, vmid, guard, type](Task&) -> asio::awaitable<void> {
                                       {
                                           Container& ct = cluster_.load(node, vmid);
                                           Cluster::check_lock(ct);
                                       }
                                       co_await sleep(task_duration());
                                       if (faults_.roll(faults_.spec().taskfail)) {
                                           die(task_failure(type, vmid));
                                       }
                                       Container& ct = cluster_.load(node, vmid);
                                       if (type == "vzreboot") {
                                           cluster_.set_running(ct, false, now());
                                           cluster_.apply_all_pending(ct);
                                           cluster_.set_running(ct, true, now());
                                       } else {
                                           cluster_.set_running(ct, false, now());
                                       }
                                   });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::post_lxc_stop(Call& c) {
    co_return co_await stop_like(c, "vzstop");
}

asio::awaitable<Result> Api::post_lxc_shutdown(Call& c) {
    co_return co_await stop_like(c, "vzshutdown");
}

asio::awaitable<Result> Api::post_lxc_reboot(Call& c) {
    co_return co_await stop_like(c, "vzreboot");
}

asio::awaitable<Result> Api::put_lxc_resize(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    auto guard = co_await lock_or_die(vmid, lock_wait(), "");
    Container& target = cluster_.load(node, vmid);
    ResizePlan plan = cluster_.resize_prepare(target, c.params["disk"], c.params["size"],
                                              c.params.count("digest") ? c.params["digest"] : "");
    target.conf.values["lock"] = "disk";
    std::string upid =
        fork_worker(node, "resize", vmid, c.user,
                    [this, vmid, guard, plan](Task& task) -> asio::awaitable<void> {
                        task.log.push_back("  Size of logical volume pve/" +
                                           plan.volume.substr(plan.volume.find(':') + 1) +
                                           " changed from " + format_size(plan.old_size) + " to " +
                                           format_size(plan.new_size) + ".");
                        co_await sleep(task_duration());
                        Container* ct = cluster_.find(vmid);
                        if (faults_.roll(faults_.spec().taskfail)) {
                            Cluster::unlock(*ct);
                            die(task_failure("resize", vmid));
                        }
                        cluster_.resize_commit(*ct, plan);
                    });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::get_snapshots(Call& c) {
    Container& ct = cluster_.load(c.params["node"], vmid_of(c));
    co_return Result{cluster_.snapshot_list(ct), {}};
}

asio::awaitable<Result> Api::post_snapshot(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string name = c.params["snapname"];
    std::string description = c.params.count("description") ? c.params["description"] : "";
    if (name == "current" || name == "vzdump") {
        die("unable to use snapshot name '" + name + "' (reserved name)");
    }
    std::string upid =
        fork_worker(node, "vzsnapshot", vmid, c.user,
                    [this, node, vmid, name, description](Task& task) -> asio::awaitable<void> {
                        {
                            auto guard = co_await lock_or_die(vmid, lock_wait(), "");
                            Container& ct = cluster_.load(node, vmid);
                            cluster_.snapshot_prepare(ct, name);
                        }
                        task.log.push_back("  Logical volume \"snap_vm-" + std::to_string(vmid) +
                                           "-disk-0_" + name + "\" created.");
                        co_await sleep(task_duration());
                        Container* ct = cluster_.find(vmid);
                        if (faults_.roll(faults_.spec().taskfail)) {
                            Cluster::unlock(*ct);
                            die(task_failure("vzsnapshot", vmid));
                        }
                        cluster_.snapshot_commit(*ct, name, description, now());
                    });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::get_snapshot_index(Call& c) {
    Container& ct = cluster_.load(c.params["node"], vmid_of(c));
    if (ct.conf.snapshots.count(c.params["snapname"]) == 0) {
        die("snapshot '" + c.params["snapname"] + "' does not exist");
    }
    co_return Result{subdirs({"rollback", "config"}, "cmd"), {}};
}

asio::awaitable<Result> Api::get_snapshot_config(Call& c) {
    Container& ct = cluster_.load(c.params["node"], vmid_of(c));
    auto it = ct.conf.snapshots.find(c.params["snapname"]);
    if (it == ct.conf.snapshots.end()) {
        die("snapshot '" + c.params["snapname"] + "' does not exist");
    }
    co_return Result{config_json(it->second), {}};
}

asio::awaitable<Result> Api::delete_snapshot(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string name = c.params["snapname"];
    bool force = c.params.count("force") != 0 && c.params["force"] == "1";
    std::string upid = fork_worker(node, "vzdelsnapshot", vmid, c.user,
                                   [this, node, vmid, name, force](Task&) -> asio::awaitable<void> {
                                       {
                                           auto guard = co_await lock_or_die(vmid, lock_wait(), "");
                                           Container& ct = cluster_.load(node, vmid);
                                           cluster_.delsnapshot_prepare(ct, name, force);
                                       }
                                       co_await sleep(task_duration());
                                       Container* ct = cluster_.find(vmid);
                                       if (faults_.roll(faults_.spec().taskfail)) {
                                           Cluster::unlock(*ct);
                                           die(task_failure("vzdelsnapshot", vmid));
                                       }
                                       cluster_.delsnapshot_commit(*ct, name);
                                   });
    co_return Result{json::value(upid), {}};
}

asio::awaitable<Result> Api::post_rollback(Call& c) {
    std::string node = c.params["node"];
    int vmid = vmid_of(c);
    std::string name = c.params["snapname"];
    bool start = c.params.count("start") != 0 && c.params["start"] == "1";
    std::string upid =
        fork_worker(node, "vzrollback", vmid, c.user,
                    [this, node, vmid, name, start](Task& task) -> asio::awaitable<void> {
                        {
                            auto guard = co_await lock_or_die(vmid, lock_wait(), "");
                            Container& ct = cluster_.load(node, vmid);
                            cluster_.rollback_prepare(ct, name);
                            if (ct.running) {
                                // A running CT is stopped before its volumes are rolled back.
                                cluster_.set_running(ct, false, now());
                                task.log.push_back("stopping container " + std::to_string(vmid));
                            }
                        }
                        co_await sleep(task_duration());
                        Container* ct = cluster_.find(vmid);
                        if (faults_.roll(faults_.spec().taskfail)) {
                            Cluster::unlock(*ct);
                            die(task_failure("vzrollback", vmid));
                        }
                        cluster_.rollback_commit(*ct, name);
                        if (start) {
                            cluster_.set_running(*ct, true, now());
                        }
                    });
    co_return Result{json::value(upid), {}};
}

}  // namespace pvesim
