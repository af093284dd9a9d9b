// Worker tasks as pvedaemon keeps them: each has a UPID, a log, and once stopped an exit status
// ("OK" or the error text). The registry is plain data; the API layer decides when a task ends.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "upid.h"

namespace pvesim {

struct Task {
    Upid parts;
    std::string upid;
    bool running = true;
    std::string exitstatus;  // set when stopped: "OK" or the error
    std::int64_t endtime = 0;
    std::vector<std::string> log;
    int vmid = 0;
};

class TaskRegistry {
public:
    explicit TaskRegistry(std::uint32_t first_pid = 100000, std::uint64_t boot_ticks = 1000);

    // A new running task; `now` is the epoch second it starts.
    Task& start(const std::string& node, const std::string& type, const std::string& id,
                const std::string& user, std::int64_t now);
    Task* find(const std::string& upid);
    const Task* find(const std::string& upid) const;

    // Stops a task: an empty `error` means OK. Appends "TASK OK" / "TASK ERROR: msg".
    static void finish(Task& task, const std::string& error, std::int64_t now);

    // GET …/tasks/{upid}/status
    static boost::json::object status_json(const Task& task);
    // GET …/tasks/{upid}/log?start&limit: lines numbered from 1; `total` is the line count.
    static boost::json::array log_json(const Task& task, std::int64_t start, std::int64_t limit,
                                       std::int64_t& total);
    // GET /nodes/{node}/tasks: newest first.
    boost::json::array list_json(const std::string& node, std::int64_t start, std::int64_t limit,
                                 int vmid, std::int64_t& total) const;

    std::size_t size() const { return order_.size(); }

private:
    std::uint32_t next_pid_;
    std::uint64_t ticks_;
    std::map<std::string, std::unique_ptr<Task>> tasks_;
    std::vector<Task*> order_;
};

}  // namespace pvesim
