#include "fake_world.h"

#include <algorithm>
#include <filesystem>

#include "plan/action.h"

namespace chainvisor::engine::testing {

using hosts::Error;

// --- FakeWorld ---------------------------------------------------------------------------------

void FakeWorld::addHost(const std::string& host) {
    std::lock_guard lock(mutex);
    hosts[host];
}

void FakeWorld::putContainer(const std::string& host, FakeContainer container) {
    std::lock_guard lock(mutex);
    hosts[host][container.vmid] = std::move(container);
    recordDowns();
}

std::optional<FakeContainer> FakeWorld::container(const std::string& host, int vmid) const {
    std::lock_guard lock(mutex);
    auto h = hosts.find(host);
    if (h == hosts.end()) {
        return std::nullopt;
    }
    auto c = h->second.find(vmid);
    return c == h->second.end() ? std::nullopt : std::optional(c->second);
}

std::size_t FakeWorld::containerCount(const std::string& host) const {
    std::lock_guard lock(mutex);
    auto h = hosts.find(host);
    return h == hosts.end() ? 0 : h->second.size();
}

void FakeWorld::setBlind(const std::string& host, bool isBlind) {
    std::lock_guard lock(mutex);
    if (isBlind) {
        blind.insert(host);
    } else {
        blind.erase(host);
    }
}

void FakeWorld::setHealth(const std::string& host, int vmid, std::optional<plan::Health> health) {
    std::lock_guard lock(mutex);
    hosts.at(host).at(vmid).inside.health = health;
}

void FakeWorld::setService(const std::string& host, int vmid, plan::ServiceState service) {
    std::lock_guard lock(mutex);
    hosts.at(host).at(vmid).inside.service = service;
    recordDowns();
}

void FakeWorld::stopFromOutside(const std::string& host, int vmid) {
    std::lock_guard lock(mutex);
    auto& container = hosts.at(host).at(vmid);
    container.power = plan::PowerState::Stopped;
    container.inside.service = plan::ServiceState::Inactive;
    recordDowns();
}

void FakeWorld::setLock(const std::string& host, int vmid, std::string lockName) {
    std::lock_guard lock(mutex);
    hosts.at(host).at(vmid).lock = std::move(lockName);
}

void FakeWorld::fail(const std::string& host, const std::string& op, int vmid, int count,
                     hosts::ErrorKind kind, std::string message) {
    std::lock_guard lock(mutex);
    failures_.push_back(Failure{host, op, vmid, count, false, Error{kind, std::move(message)}});
}

void FakeWorld::failAfterDoing(const std::string& host, const std::string& op, int vmid,
                               int count) {
    std::lock_guard lock(mutex);
    failures_.push_back(Failure{
        host, op, vmid, count, true,
        Error::transient(op + " " + std::to_string(vmid) + ": connection lost awaiting the task")});
}

void FakeWorld::clearFailures() {
    std::lock_guard lock(mutex);
    failures_.clear();
}

int FakeWorld::calls(const std::string& host, const std::string& op, int vmid) const {
    std::lock_guard lock(mutex);
    return static_cast<int>(std::count_if(log_.begin(), log_.end(), [&](const FakeCall& c) {
        return c.host == host && c.op == op && (vmid == 0 || c.vmid == vmid);
    }));
}

std::vector<FakeCall> FakeWorld::callLog() const {
    std::lock_guard lock(mutex);
    return log_;
}

int FakeWorld::containersCreated() const {
    std::lock_guard lock(mutex);
    return created;
}

void FakeWorld::watchJournal(std::string dir) {
    std::lock_guard lock(mutex);
    journalDir_ = std::move(dir);
}

void FakeWorld::watchValidators(const spec::Cluster& spec) {
    std::lock_guard lock(mutex);
    validators_.clear();
    maxDown_.clear();
    for (const auto& node : spec.nodes) {
        if (node.role == spec::Role::Validator && node.state != spec::DesiredState::Absent) {
            validators_[node.network].push_back(Watched{node.host, node.vmid});
        }
    }
    recordDowns();
}

int FakeWorld::validatorsDown(const std::string& network) const {
    auto it = validators_.find(network);
    if (it == validators_.end()) {
        return 0;
    }
    int down = 0;
    for (const auto& watched : it->second) {
        auto h = hosts.find(watched.host);
        const FakeContainer* c = nullptr;
        if (h != hosts.end()) {
            if (auto found = h->second.find(watched.vmid); found != h->second.end()) {
                c = &found->second;
            }
        }
        if (c == nullptr || c->power != plan::PowerState::Running ||
            c->inside.service != plan::ServiceState::Active) {
            ++down;
        }
    }
    return down;
}

int FakeWorld::maxValidatorsDown(const std::string& network) const {
    std::lock_guard lock(mutex);
    auto it = maxDown_.find(network);
    return it == maxDown_.end() ? 0 : it->second;
}

void FakeWorld::recordDowns() {
    for (const auto& [network, watched] : validators_) {
        int& max = maxDown_[network];
        max = std::max(max, validatorsDown(network));
    }
}

FakeWorld::Scripted FakeWorld::enter(const std::string& host, const std::string& op, int vmid,
                                     std::chrono::seconds grace) {
    FakeCall call{host, op, vmid, grace, -1};
    if (!journalDir_.empty()) {
        std::error_code ec;
        int open = 0;
        for (const auto& entry :
             std::filesystem::directory_iterator(journalDir_ + "/intents", ec)) {
            open += entry.path().extension() == ".json" ? 1 : 0;
        }
        call.openIntents = open;
    }
    log_.push_back(std::move(call));
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
        if (it->host != host || it->op != op || (it->vmid != 0 && it->vmid != vmid) ||
            it->remaining == 0) {
            continue;
        }
        Scripted scripted{true, it->afterDoing, it->error};
        if (it->remaining > 0) {
            --it->remaining;
        }
        return scripted;
    }
    return {};
}

// --- FakeHost ----------------------------------------------------------------------------------

namespace {

Error missing(int vmid) {
    return Error::permanent("Configuration file 'lxc/" + std::to_string(vmid) +
                            ".conf' does not exist");
}

}  // namespace

FakeHost::FakeHost(FakeWorld& world, std::string name) : world_(world), name_(std::move(name)) {
    world_.addHost(name_);
}

hosts::Result<plan::ObservedHost> FakeHost::observe() {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "observe", 0);
    if (world_.blind.contains(name_)) {
        return Error::transient("connect " + name_ + ": connection refused");
    }
    if (scripted.fail) {
        return scripted.error;
    }
    plan::ObservedHost observed;
    observed.name = name_;
    observed.reachable = true;
    for (const auto& [vmid, c] : world_.hosts[name_]) {
        plan::ObservedContainer out;
        out.vmid = vmid;
        out.pveNode = c.pveNode;
        out.power = c.power;
        out.lock = c.lock;
        out.owner = c.owner;
        out.hostname = c.hostname;
        out.resources = c.resources;
        out.ip = c.ip;
        out.gateway = c.gateway;
        out.bridge = c.bridge;
        out.snapshots = c.snapshots;
        observed.containers.push_back(std::move(out));
    }
    return observed;
}

hosts::Result<void> FakeHost::create(const hosts::ContainerSpec& spec) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "create", spec.vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    if (auto it = containers.find(spec.vmid); it != containers.end()) {
        const auto& owner = it->second.owner;
        if (!owner || owner->cluster != spec.owner.cluster || owner->node != spec.owner.node) {
            return Error::permanent("unable to create CT " + std::to_string(spec.vmid) + " - CT " +
                                    std::to_string(spec.vmid) + " already exists");
        }
    } else {
        FakeContainer c;
        c.vmid = spec.vmid;
        c.pveNode = spec.pveNode;
        c.owner = spec.owner;
        c.hostname = spec.hostname;
        c.resources = spec.resources;
        c.ip = spec.ip;
        c.gateway = spec.gateway;
        c.bridge = spec.bridge;
        containers.emplace(spec.vmid, std::move(c));
        ++world_.created;
        world_.recordDowns();
    }
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<void> FakeHost::update(const hosts::ContainerSpec& spec,
                                     const std::vector<plan::FieldChange>& changes) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "update", spec.vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    auto it = containers.find(spec.vmid);
    if (it == containers.end()) {
        return missing(spec.vmid);
    }
    FakeContainer& c = it->second;
    for (const auto& change : changes) {
        if (!change.live && c.power == plan::PowerState::Running) {
            return Error::permanent(change.field + " cannot change on a running container");
        }
        if (change.field == "memory") {
            c.resources.memoryMiB = spec.resources.memoryMiB;
        } else if (change.field == "swap") {
            c.resources.swapMiB = spec.resources.swapMiB;
        } else if (change.field == "cores") {
            c.resources.cores = spec.resources.cores;
        } else if (change.field == "hostname") {
            c.hostname = spec.hostname;
        } else if (change.field == "ip") {
            c.ip = spec.ip;
        } else if (change.field == "gateway") {
            c.gateway = spec.gateway;
        } else if (change.field == "bridge") {
            c.bridge = spec.bridge;
        } else if (change.field == "owner") {
            c.owner = spec.owner;
        } else {
            return Error::permanent("unknown field " + change.field);
        }
    }
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<void> FakeHost::resizeDisk(int vmid, int diskGiB) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "resize", vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    auto it = containers.find(vmid);
    if (it == containers.end()) {
        return missing(vmid);
    }
    if (diskGiB < it->second.resources.diskGiB) {
        return Error::permanent("disk cannot shrink");
    }
    it->second.resources.diskGiB = diskGiB;
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<void> FakeHost::start(int vmid) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "start", vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    auto it = containers.find(vmid);
    if (it == containers.end()) {
        return missing(vmid);
    }
    it->second.power = plan::PowerState::Running;  // the node's service is started on its own
    world_.recordDowns();
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<void> FakeHost::stop(int vmid, std::chrono::seconds grace) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "stop", vmid, grace);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    auto it = containers.find(vmid);
    if (it == containers.end()) {
        return missing(vmid);
    }
    it->second.power = plan::PowerState::Stopped;
    it->second.inside.service = plan::ServiceState::Inactive;
    world_.recordDowns();
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<void> FakeHost::snapshot(int vmid, const std::string& name) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "snapshot", vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    auto it = containers.find(vmid);
    if (it == containers.end()) {
        return missing(vmid);
    }
    auto& snapshots = it->second.snapshots;
    if (std::find(snapshots.begin(), snapshots.end(), name) == snapshots.end()) {
        snapshots.push_back(name);
    }
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<void> FakeHost::rollback(int vmid, const std::string& name) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "rollback", vmid);
    if (scripted.fail) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    auto it = containers.find(vmid);
    if (it == containers.end()) {
        return missing(vmid);
    }
    const auto& snapshots = it->second.snapshots;
    if (std::find(snapshots.begin(), snapshots.end(), name) == snapshots.end()) {
        return Error::permanent("snapshot " + name + " does not exist");
    }
    it->second.power = plan::PowerState::Stopped;
    it->second.inside.service = plan::ServiceState::Inactive;
    world_.recordDowns();
    return {};
}

hosts::Result<void> FakeHost::destroy(int vmid) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "destroy", vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[name_];
    if (auto it = containers.find(vmid); it != containers.end()) {
        if (it->second.power == plan::PowerState::Running) {
            return Error::permanent("CT " + std::to_string(vmid) + " is running");
        }
        containers.erase(it);
        world_.recordDowns();
    }
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

hosts::Result<hosts::ExecResult> FakeHost::exec(int vmid, const std::vector<std::string>& /*argv*/,
                                                std::chrono::milliseconds /*deadline*/) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "exec", vmid);
    if (scripted.fail) {
        return scripted.error;
    }
    return hosts::ExecResult{};
}

hosts::Result<void> FakeHost::writeFile(int vmid, const hosts::FileWrite& /*file*/) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(name_, "writeFile", vmid);
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

// --- FakeNodeAgent -----------------------------------------------------------------------------

hosts::Result<plan::ObservedNode> FakeNodeAgent::inspect(hosts::Host& host,
                                                         const spec::Cluster& /*spec*/,
                                                         const spec::Node& node) {
    std::lock_guard lock(world_.mutex);
    auto scripted = world_.enter(host.name(), "inspect", node.vmid);
    if (scripted.fail) {
        return scripted.error;
    }
    auto& containers = world_.hosts[host.name()];
    auto it = containers.find(node.vmid);
    if (it == containers.end() || it->second.power != plan::PowerState::Running) {
        return Error::transient("container '" + std::to_string(node.vmid) + "' not running");
    }
    const FakeInside& inside = it->second.inside;
    plan::ObservedNode observed;
    observed.name = node.name;
    observed.service = inside.service;
    observed.health = inside.health.value_or(inside.service == plan::ServiceState::Active
                                                 ? plan::Health::Ready
                                                 : plan::Health::NotReady);
    observed.version = inside.version;
    observed.configFingerprint = inside.configFingerprint;
    return observed;
}

hosts::Result<void> FakeNodeAgent::perform(hosts::Host& host, const spec::Cluster& /*spec*/,
                                           const spec::Node& node, const plan::Action& action) {
    std::lock_guard lock(world_.mutex);
    const std::string op = "perform:" + std::string(plan::toString(action.kind));
    auto scripted = world_.enter(host.name(), op, action.vmid);
    if (scripted.fail && !scripted.afterDoing) {
        return scripted.error;
    }
    auto& containers = world_.hosts[host.name()];
    auto it = containers.find(action.vmid);
    if (it == containers.end()) {
        return missing(action.vmid);
    }
    FakeContainer& c = it->second;
    const bool running = c.power == plan::PowerState::Running;
    switch (action.kind) {
        case plan::ActionKind::InstallSoftware:
            c.inside.version = action.version;
            break;
        case plan::ActionKind::WriteConfig:
            c.inside.configFingerprint = action.configFingerprint;
            break;
        case plan::ActionKind::StartService:
        case plan::ActionKind::RestartService:
            if (!running) {
                return Error::transient("container '" + std::to_string(action.vmid) +
                                        "' not running");
            }
            if (!c.inside.version) {
                return Error::permanent(node.name + ": no software installed");
            }
            if (action.kind == plan::ActionKind::RestartService) {
                c.inside.service = plan::ServiceState::Inactive;  // down for a moment
                world_.recordDowns();
            }
            c.inside.service = plan::ServiceState::Active;
            break;
        case plan::ActionKind::StopService:
            c.inside.service = plan::ServiceState::Inactive;
            break;
        case plan::ActionKind::AwaitHealthy:
            if (c.inside.service != plan::ServiceState::Active ||
                c.inside.health == plan::Health::NotReady) {
                return Error::unhealthy(node.name + ": health gate not passed");
            }
            break;
        default:
            return Error::permanent("not an in-container action: " + op);
    }
    world_.recordDowns();
    if (scripted.fail) {
        return scripted.error;
    }
    return {};
}

}  // namespace chainvisor::engine::testing
