#include "tasks.h"

namespace pvesim {

TaskRegistry::TaskRegistry(std::uint32_t first_pid, std::uint64_t boot_ticks)
    : next_pid_(first_pid), ticks_(boot_ticks) {}

Task& TaskRegistry::start(const std::string& node, const std::string& type, const std::string& id,
                          const std::string& user, std::int64_t now) {
    auto task = std::make_unique<Task>();
    task->parts.node = node;
    task->parts.pid = next_pid_++;
    // pstart is the process start in clock ticks since boot: strictly increasing here.
    ticks_ += 7;
    task->parts.pstart = ticks_;
    task->parts.starttime = static_cast<std::uint32_t>(now);
    task->parts.type = type;
    task->parts.id = id;
    task->parts.user = user;
    task->upid = format_upid(task->parts);
    try {
        task->vmid = id.empty() ? 0 : std::stoi(id);
    } catch (const std::exception&) {
        task->vmid = 0;
    }
    Task& ref = *task;
    order_.push_back(task.get());
    tasks_[ref.upid] = std::move(task);
    return ref;
}

Task* TaskRegistry::find(const std::string& upid) {
    auto it = tasks_.find(upid);
    return it == tasks_.end() ? nullptr : it->second.get();
}

const Task* TaskRegistry::find(const std::string& upid) const {
    auto it = tasks_.find(upid);
    return it == tasks_.end() ? nullptr : it->second.get();
}

void TaskRegistry::finish(Task& task, const std::string& error, std::int64_t now) {
    task.running = false;
    task.endtime = now;
    if (error.empty()) {
        task.exitstatus = "OK";
        task.log.push_back("TASK OK");
    } else {
        // Like the real worker: the first line of the error is the exit status.
        std::string first = error.substr(0, error.find('\n'));
        task.exitstatus = first;
        task.log.push_back("TASK ERROR: " + first);
    }
}

boost::json::object TaskRegistry::status_json(const Task& task) {
    boost::json::object o;
    o["upid"] = task.upid;
    o["node"] = task.parts.node;
    o["pid"] = task.parts.pid;
    o["pstart"] = task.parts.pstart;
    o["starttime"] = task.parts.starttime;
    o["type"] = task.parts.type;
    o["id"] = task.parts.id;
    o["user"] = task.parts.user;
    o["status"] = task.running ? "running" : "stopped";
    if (!task.running) {
        o["exitstatus"] = task.exitstatus;
    }
    return o;
}

boost::json::array TaskRegistry::log_json(const Task& task, std::int64_t start, std::int64_t limit,
                                          std::int64_t& total) {
    boost::json::array out;
    std::int64_t n = 0;
    for (const auto& line : task.log) {
        ++n;
        if (n <= start || limit <= 0) {
            continue;
        }
        out.push_back(boost::json::object{{"n", n}, {"t", line}});
        --limit;
    }
    if (n == 0) {
        // The real API never returns an empty log (ExtJS needs a line).
        n = 1;
        out.push_back(boost::json::object{{"n", 1}, {"t", "no content"}});
    }
    total = n;
    return out;
}

boost::json::array TaskRegistry::list_json(const std::string& node, std::int64_t start,
                                           std::int64_t limit, int vmid,
                                           std::int64_t& total) const {
    boost::json::array out;
    total = 0;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        const Task& t = **it;
        if (t.parts.node != node || (vmid != 0 && t.vmid != vmid)) {
            continue;
        }
        ++total;
        if (total <= start || static_cast<std::int64_t>(out.size()) >= limit) {
            continue;
        }
        boost::json::object o;
        o["upid"] = t.upid;
        o["node"] = t.parts.node;
        o["pid"] = t.parts.pid;
        o["pstart"] = t.parts.pstart;
        o["starttime"] = t.parts.starttime;
        o["type"] = t.parts.type;
        o["id"] = t.parts.id;
        o["user"] = t.parts.user;
        if (!t.running) {
            o["endtime"] = t.endtime;
            o["status"] = t.exitstatus;
        }
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace pvesim
