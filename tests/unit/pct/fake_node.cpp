#include "fake_node.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "hosts/pct/observe_script.h"
#include "hosts/pct/pct_commands.h"

namespace chainvisor::hosts::pct::test {
namespace {

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string shortLower(const std::string& s) {
    std::string out = s.substr(0, s.find('.'));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string locked(const FakeCt& ct) {
    return "CT is locked (" + ct.lock + ")\n";
}

}  // namespace

Reply answer(std::string out) {
    Reply r;
    r.out = std::move(out);
    return r;
}

Reply failure(int exit, std::string err) {
    Reply r;
    r.exit = exit;
    r.err = std::move(err);
    return r;
}

Reply exits(int exit, std::string out, std::string err) {
    Reply r;
    r.exit = exit;
    r.out = std::move(out);
    r.err = std::move(err);
    return r;
}

Reply lost(std::string what, bool permanent, bool timedOut) {
    Reply r;
    r.exit = -1;
    r.transportError = std::move(what);
    r.permanent = permanent;
    r.timedOut = timedOut;
    return r;
}

FakeNode::FakeNode(std::string unameName, std::string target)
    : uname(std::move(unameName)), target_(std::move(target)) {}

std::string FakeNode::keyOf(const std::vector<std::string>& argv) {
    if (argv.size() >= 3 && argv[0] == "sh" && argv[1] == "-c") {
        if (argv[2] == observeScript()) {
            return "observe";
        }
        if (argv[2] == pushScript()) {
            return "push";
        }
        return "sh";
    }
    std::string key;
    for (std::size_t i = 0; i < std::min<std::size_t>(argv.size(), 3); ++i) {
        key += (key.empty() ? "" : " ") + argv[i];
    }
    return key;
}

void FakeNode::on(const std::string& key, Reply reply) {
    std::lock_guard guard(mutex_);
    queued_[key].push_back(std::move(reply));
}

void FakeNode::always(const std::string& key, Reply reply) {
    std::lock_guard guard(mutex_);
    always_[key] = std::move(reply);
}

void FakeNode::clearAlways(const std::string& key) {
    std::lock_guard guard(mutex_);
    always_.erase(key);
}

void FakeNode::before(const std::string& key, std::function<void()> hook) {
    std::lock_guard guard(mutex_);
    hooks_[key] = std::move(hook);
}

void FakeNode::onExec(std::function<Reply(const std::vector<std::string>&)> handler) {
    std::lock_guard guard(mutex_);
    exec_ = std::move(handler);
}

std::vector<Call> FakeNode::calls() const {
    std::lock_guard guard(mutex_);
    return calls_;
}

std::size_t FakeNode::count(const std::string& key) const {
    std::lock_guard guard(mutex_);
    return static_cast<std::size_t>(
        std::count_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.key == key; }));
}

std::size_t FakeNode::count() const {
    std::lock_guard guard(mutex_);
    return calls_.size();
}

void FakeNode::clearCalls() {
    std::lock_guard guard(mutex_);
    calls_.clear();
}

net::RemoteOutcome FakeNode::run(const net::RemoteCommand& command) {
    const std::string key = keyOf(command.argv);
    std::function<void()> hook;
    {
        std::lock_guard guard(mutex_);
        calls_.push_back(Call{command.argv, command.input, command.deadline, key});
        if (auto it = hooks_.find(key); it != hooks_.end()) {
            hook = std::move(it->second);
            hooks_.erase(it);
        }
    }
    if (hook) {
        hook();
    }
    Reply reply;
    {
        std::lock_guard guard(mutex_);
        if (auto q = queued_.find(key); q != queued_.end() && !q->second.empty()) {
            reply = q->second.front();
            q->second.pop_front();
        } else if (auto a = always_.find(key); a != always_.end()) {
            reply = a->second;
        } else {
            reply = answerOf(command);
        }
    }
    net::RemoteOutcome o;
    o.error = reply.transportError;
    o.timedOut = reply.timedOut;
    o.permanent = reply.permanent;
    o.exitSignal = reply.signal;
    if (reply.transportError.empty()) {
        o.exitCode = reply.exit;
        o.out = reply.out;
        o.err = reply.err;
    }
    return o;
}

std::string FakeNode::listText() const {
    if (cts.empty()) {
        return {};
    }
    char line[256];
    std::snprintf(line, sizeof line, "%-10s %-10s %-12s %-20s\n", "VMID", "Status", "Lock", "Name");
    std::string out = line;
    for (const auto& [vmid, ct] : cts) {
        std::snprintf(line, sizeof line, "%-10s %-10s %-12s %-20s\n", std::to_string(vmid).c_str(),
                      ct.status.c_str(), ct.lock.c_str(), ct.hostname.c_str());
        out += line;
    }
    return out;
}

std::string FakeNode::configText(int vmid) const {
    const FakeCt& ct = cts.at(vmid);
    std::string out = "arch: amd64\n";
    if (ct.cores > 0) {  // 0: no limit, as when cores is not set
        out += "cores: " + std::to_string(ct.cores) + "\n";
    }
    out += "features: nesting=1\n";
    out += "hostname: " + ct.hostname + "\n";
    if (!ct.lock.empty()) {
        out += "lock: " + ct.lock + "\n";
    }
    out += "memory: " + std::to_string(ct.memory) + "\n";
    out += "net0: " + ct.net0 + "\n";
    out += "onboot: 1\n";
    out += "ostype: debian\n";
    out += "rootfs: local-lvm:vm-" + std::to_string(vmid) +
           "-disk-0,size=" + std::to_string(ct.diskGiB) + "G\n";
    out += "swap: " + std::to_string(ct.swap) + "\n";
    if (!ct.tags.empty()) {
        out += "tags: " + ct.tags + "\n";
    }
    out += "unprivileged: 1\n";
    return out;
}

std::string FakeNode::missing(int vmid) const {
    return "Configuration file 'nodes/" + shortLower(uname) + "/lxc/" + std::to_string(vmid) +
           ".conf' does not exist\n";
}

Reply FakeNode::answerOf(const net::RemoteCommand& command) {
    const auto& argv = command.argv;
    if (argv == std::vector<std::string>{"uname", "-n"}) {
        return answer(uname + "\n");
    }
    const std::string key = keyOf(argv);
    if (key == "observe") {
        return observe(argv);
    }
    if (key == "push") {
        return push(argv, command.input);
    }
    if (!argv.empty() && argv[0] == "pct") {
        return pct(argv);
    }
    return failure(127, "sh: 1: " + (argv.empty() ? std::string() : argv[0]) + ": not found\n");
}

Reply FakeNode::observe(const std::vector<std::string>& argv) {
    // What observe_script.h's script prints on a node like this one.
    std::string out = "@@chainvisor node\n" + uname + "\n";
    if (argv.size() < 5 || shortLower(uname) != argv[4]) {
        return answer(out);
    }
    out += "@@chainvisor cpus\n" + std::to_string(cpus) + "\n";
    std::string list = listText();
    while (!list.empty() && list.back() == '\n') {
        list.pop_back();
    }
    out += "@@chainvisor list\n" + list + "\n";
    const std::vector<std::string> known(argv.begin() + 5, argv.end());
    auto& read = lastObservedConfigs;
    read.clear();
    std::string err;
    for (const auto& [vmid, ct] : cts) {
        char line[256];
        std::snprintf(line, sizeof line, "%-10s %-10s %-12s %-20s", std::to_string(vmid).c_str(),
                      ct.status.c_str(), ct.lock.c_str(), ct.hostname.c_str());
        if (std::find(known.begin(), known.end(), trimmed(line)) != known.end()) {
            continue;
        }
        read.push_back(vmid);
        const std::string id = std::to_string(vmid);
        out += "@@chainvisor config " + id + "\n";
        if (brokenConfigs.contains(vmid)) {
            err += "can't lock file '/run/lock/lxc/pve-config-" + id + ".lock' - got timeout\n";
            out += "@@chainvisor config-exit " + id + " 255\n";
            continue;
        }
        out += configText(vmid);
        out += "@@chainvisor config-exit " + id + " 0\n";
    }
    out += "@@chainvisor end\n";
    Reply r = answer(out);
    r.err = err;
    return r;
}

Reply FakeNode::push(const std::vector<std::string>& argv, const std::string& input) {
    // sh -c SCRIPT sh VMID PATH MODE OWNER GROUP
    const int vmid = std::stoi(argv.at(4));
    const auto it = cts.find(vmid);
    if (it == cts.end()) {
        return failure(255, missing(vmid));
    }
    if (it->second.status != "running") {
        return failure(255, "container '" + argv[4] + "' not running!\n");
    }
    const std::string group = argv.at(8).empty() ? std::string("1000") : argv[8];
    it->second.files[argv.at(5)] = FakeCt::File{input, argv.at(6), argv.at(7), group};
    return answer("");
}

Reply FakeNode::pct(const std::vector<std::string>& argv) {
    const std::string& verb = argv.size() > 1 ? argv[1] : std::string();
    if (verb == "list") {
        return answer(listText());
    }
    if (argv.size() < 3) {
        return failure(255, "400 not enough arguments\n");
    }
    const int vmid = std::stoi(argv[2]);
    const std::string id = argv[2];
    auto it = cts.find(vmid);
    auto option = [&](const std::string& name) -> std::string {
        for (std::size_t i = 3; i + 1 < argv.size(); ++i) {
            if (argv[i] == "--" + name) {
                return argv[i + 1];
            }
        }
        return {};
    };
    if (verb == "create") {
        if (it != cts.end()) {
            return failure(255, "unable to create CT " + id + " - CT " + id +
                                    " already exists on node '" + shortLower(uname) + "'\n");
        }
        FakeCt ct;
        ct.status = "stopped";
        ct.hostname = option("hostname");
        ct.cores = std::stoi(option("cores"));
        ct.memory = std::stoi(option("memory"));
        ct.swap = std::stoi(option("swap"));
        const std::string rootfs = option("rootfs");
        ct.diskGiB = std::stoi(rootfs.substr(rootfs.find(':') + 1));
        ct.net0 = option("net0") + ",hwaddr=BC:24:11:00:00:01,type=veth";
        ct.tags = option("tags");
        cts[vmid] = ct;
        return answer("extracting archive\nTotal bytes read: 1\n");
    }
    if (it == cts.end()) {
        return failure(255, missing(vmid));
    }
    FakeCt& ct = it->second;
    if (verb == "config") {
        if (brokenConfigs.contains(vmid)) {
            return failure(
                255, "can't lock file '/run/lock/lxc/pve-config-" + id + ".lock' - got timeout\n");
        }
        return answer(configText(vmid));
    }
    if (verb == "status") {
        return answer("status: " + ct.status + "\n");
    }
    if (verb == "listsnapshot") {
        std::string out;
        std::string indent;
        for (const auto& s : ct.snapshots) {
            char line[256];
            std::snprintf(line, sizeof line, "%s`-> %-*s%s", indent.c_str(),
                          std::max(1, 26 - static_cast<int>(indent.size())), s.c_str(),
                          "2025-01-12 10:00:01     no-description\n");
            out += line;
            indent += "  ";
        }
        out += indent + "`-> current                                       You are here!\n";
        return answer(out);
    }
    if (verb == "exec") {
        if (ct.status != "running") {
            return failure(255, "container '" + id + "' not running!\n");
        }
        const std::vector<std::string> inside(argv.begin() + 4, argv.end());
        return exec_ ? exec_(inside) : answer("");
    }
    if (!ct.lock.empty()) {
        return failure(255, locked(ct));
    }
    if (verb == "start") {
        if (ct.status == "running") {
            return failure(255, "CT " + id + " already running\n");
        }
        ct.status = "running";
        return answer("");
    }
    if (verb == "shutdown" || verb == "stop") {
        if (ct.status != "running") {
            return failure(255, "CT " + id + " not running\n");
        }
        ct.status = "stopped";
        return answer("");
    }
    if (verb == "set") {
        for (std::size_t i = 3; i + 1 < argv.size(); i += 2) {
            const std::string key = argv[i].substr(2);
            const std::string& value = argv[i + 1];
            if (key == "memory") {
                ct.memory = std::stoi(value);
            } else if (key == "swap") {
                ct.swap = std::stoi(value);
            } else if (key == "cores") {
                ct.cores = std::stoi(value);
            } else if (key == "hostname") {
                ct.hostname = value;
            } else if (key == "net0") {
                ct.net0 = value;
            } else if (key == "tags") {
                ct.tags = value;
            } else {
                return failure(255, "400 Parameter verification failed.\n" + key +
                                        ": property is not defined in schema and the schema does "
                                        "not allow additional properties\n");
            }
        }
        return answer("");
    }
    if (verb == "resize") {
        const int size = std::stoi(argv.at(4));
        if (size < ct.diskGiB) {
            return failure(255, "unable to shrink disk size\n");
        }
        ct.diskGiB = size;
        return answer("");
    }
    if (verb == "snapshot") {
        if (std::find(ct.snapshots.begin(), ct.snapshots.end(), argv.at(3)) != ct.snapshots.end()) {
            return failure(255, "snapshot name '" + argv[3] + "' already used\n");
        }
        ct.snapshots.push_back(argv[3]);
        return answer("");
    }
    if (verb == "rollback") {
        if (std::find(ct.snapshots.begin(), ct.snapshots.end(), argv.at(3)) == ct.snapshots.end()) {
            return failure(255, "snapshot '" + argv[3] + "' does not exist\n");
        }
        ct.status = "stopped";
        return answer("");
    }
    if (verb == "destroy") {
        cts.erase(it);
        return answer("");
    }
    return failure(255, "unknown command 'pct " + verb + "'\n");
}

}  // namespace chainvisor::hosts::pct::test
