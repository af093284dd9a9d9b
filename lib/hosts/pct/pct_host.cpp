#include "hosts/pct/pct_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <regex>
#include <set>

#include "hosts/pct/node_identity.h"
#include "hosts/pct/observe_script.h"
#include "hosts/pct/pct_commands.h"
#include "hosts/pct/pct_errors.h"
#include "hosts/pct/pct_list.h"
#include "hosts/pct/pct_snapshots.h"
#include "hosts/pct/pct_status.h"
#include "hosts/proxmox/ct_changes.h"
#include "hosts/proxmox/tasks.h"

namespace chainvisor::hosts::pct {

using proxmox::checkSnapshotName;
using proxmox::checkStopped;
using proxmox::checkUpdatable;
using proxmox::classifyChanges;
using proxmox::CtConfig;
using proxmox::ownerText;
using proxmox::parseMarker;
using proxmox::taggable;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

constexpr int kMinVmid = 100;
constexpr int kMaxVmid = 999'999'999;
constexpr std::size_t kMaxObserveOutput = 16 * 1024 * 1024;

// Storage ids and bridge names end up inside property strings (rootfs, net0): nothing in them may
// add a property or start an option.
bool plainName(const std::string& s) {
    static const std::regex pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]*$");
    return std::regex_match(s, pattern);
}

bool succeeded(const net::RemoteOutcome& o) {
    return o.ok() && o.exitSignal.empty() && o.exitCode == 0;
}

std::string what(const std::vector<std::string>& argv) {
    // "pct start 101": the command and its container, not its values.
    std::string out;
    for (std::size_t i = 0; i < std::min<std::size_t>(argv.size(), 3); ++i) {
        out += (out.empty() ? "" : " ") + argv[i];
    }
    return out;
}

std::string tagsText(const CtConfig& config) {
    return config.tags.empty() ? std::string("none") : config.tags;
}

}  // namespace

// Every remote command goes through here. A transport failure may mean that the next command
// opens a new connection, which could reach another machine: the identity is checked again then.
class PctHost::CheckedShell final : public net::RemoteShell {
public:
    CheckedShell(PctHost& host, net::RemoteShell& inner) : host_(host), inner_(inner) {}
    const std::string& target() const override { return inner_.target(); }
    net::RemoteOutcome run(const net::RemoteCommand& command) override {
        auto outcome = inner_.run(command);
        if (!outcome.ok()) {
            host_.forgetIdentity();
        }
        return outcome;
    }

private:
    PctHost& host_;
    net::RemoteShell& inner_;
};

PctHostOptions pctHostOptions(const spec::Host& host, const std::string& pveNode,
                              const std::string& clusterName) {
    PctHostOptions o;
    o.name = host.name;
    o.pveNode = pveNode;
    o.clusterName = clusterName;
    return o;
}

PctHost::PctHost(PctHostOptions options, net::RemoteShell& shell)
    : options_(std::move(options)),
      shell_(std::make_unique<CheckedShell>(*this, shell)),
      ownTiming_(std::make_unique<proxmox::SystemTiming>()),
      timing_(*ownTiming_) {}

PctHost::PctHost(PctHostOptions options, net::RemoteShell& shell, proxmox::Timing& timing)
    : options_(std::move(options)),
      shell_(std::make_unique<CheckedShell>(*this, shell)),
      timing_(timing) {}

PctHost::~PctHost() = default;

std::string PctHost::where(int vmid) const {
    return options_.name + ": CT " + std::to_string(vmid) + " on " + options_.pveNode;
}

Error PctHost::fail(int vmid, const Error& error) const {
    return Error{error.kind, where(vmid) + ": " + error.message};
}

Error PctHost::state(int vmid, ErrorKind kind, const std::string& predicate) const {
    return Error{kind, where(vmid) + " " + predicate};
}

Error PctHost::failHost(const Error& error) const {
    return Error{error.kind, options_.name + " (" + options_.pveNode + "): " + error.message};
}

net::RemoteOutcome PctHost::run(const std::vector<std::string>& argv, milliseconds deadline,
                                std::size_t maxOutput) {
    net::RemoteCommand command;
    command.argv = argv;
    command.deadline = deadline;
    command.maxOutput = maxOutput;
    return shell_->run(command);
}

std::chrono::milliseconds PctHost::pollDelay(std::chrono::nanoseconds elapsed) const {
    proxmox::TaskOptions polling;
    polling.minPoll = options_.minPoll;
    polling.maxPoll = options_.maxPoll;
    return proxmox::pollDelay(polling, elapsed);
}

void PctHost::invalidate(int vmid) {
    std::lock_guard guard(mutex_);
    cache_.invalidate(vmid);
}

// ---------------------------------------------------------------------------------------------
// Identity

void PctHost::forgetIdentity() {
    std::lock_guard guard(mutex_);
    verified_ = false;
}

Error PctHost::wrongNode(const std::string& unameOutput) const {
    return failHost(Error::permanent("ssh " + shell_->target() + " reaches node '" +
                                     shortNodeName(unameOutput) + "', not '" + options_.pveNode +
                                     "'; nothing is done there until it reaches " +
                                     options_.pveNode + " (hosts[].ssh)"));
}

Result<void> PctHost::ensureIdentity() {
    {
        std::lock_guard guard(mutex_);
        if (verified_) {
            return {};
        }
    }
    const auto argv = unameArgv();
    auto o = run(argv, options_.commandDeadline);
    if (!succeeded(o)) {
        return failHost(pctError(o, what(argv)));
    }
    if (!sameNode(o.out, options_.pveNode)) {
        return wrongNode(o.out);
    }
    std::lock_guard guard(mutex_);
    verified_ = true;
    return {};
}

// ---------------------------------------------------------------------------------------------
// Observation

Result<plan::ObservedHost> PctHost::observe() {
    std::vector<std::string> known;
    std::map<int, std::uint64_t> epochs;  // before the read: a config read while we changed it
                                          // is used for this pass but not cached
    std::map<int, CtConfig> cached;       // what the known lines stand for, even if one of our
    {                                     // own changes invalidates it meanwhile
        std::lock_guard guard(mutex_);
        known = cache_.knownLines(options_.configRefreshPerPass);
        epochs = cache_.epochs();
        cached = cache_.configs();
    }
    auto o = run(observeArgv(options_.pveNode, known), options_.observeDeadline, kMaxObserveOutput);
    if (!o.ok() || !o.exitSignal.empty()) {
        return failHost(pctError(o, "observing"));
    }
    const ObserveOutput out = parseObserveOutput(o.out);
    if (!out.sawNode || shortNodeName(out.node).empty()) {
        return failHost(o.exitCode != 0 ? pctError(o, "observing")
                                        : Error::transient("observing: uname -n printed nothing"));
    }
    if (!sameNode(out.node, options_.pveNode)) {
        forgetIdentity();
        return wrongNode(out.node);
    }
    {
        std::lock_guard guard(mutex_);
        verified_ = true;
    }
    if (!out.listed) {
        net::RemoteOutcome list = o;
        list.exitCode = out.listExit != 0 ? out.listExit : o.exitCode;
        if (list.exitCode != 0) {
            return failHost(pctError(list, "pct list"));
        }
        return failHost(Error::transient("observing: the output ended before pct list's"));
    }
    if (!out.complete) {
        return failHost(
            Error::transient("observing: the output was cut short" +
                             std::string(o.truncated ? " (more than the output limit)" : "") +
                             " (exit " + std::to_string(o.exitCode) + "): " + lastLines(o.err)));
    }
    auto listed = parsePctList(out.list);
    if (!listed) {
        return failHost(listed.error());
    }

    std::map<int, CtConfig> fetched;
    for (const auto& e : listed.value()) {
        const auto it = out.configs.find(e.vmid);
        if (it == out.configs.end()) {
            continue;
        }
        if (it->second.exit == 0) {
            fetched[e.vmid] = proxmox::parseCtConfigText(it->second.text, e.vmid);
            continue;
        }
        if (!cached.contains(e.vmid)) {
            const std::string detail = lastLines(o.err);
            return fail(e.vmid,
                        Error::transient("pct config " + std::to_string(e.vmid) + " failed (exit " +
                                         std::to_string(it->second.exit) + ")" +
                                         (detail.empty() ? std::string() : ": " + detail)));
        }
        // Otherwise the config read before stands for this pass; it stays due and is read again
        // next pass.
    }

    plan::ObservedHost host;
    host.name = options_.name;
    host.reachable = true;
    host.containersOnly = false;

    std::lock_guard guard(mutex_);
    std::set<int> ids;
    for (const auto& e : listed.value()) {
        ids.insert(e.vmid);
    }
    cache_.keepOnly(ids);
    for (const auto& e : listed.value()) {
        const auto f = fetched.find(e.vmid);
        if (f == fetched.end()) {
            continue;
        }
        const auto before = epochs.find(e.vmid);
        if (cache_.epoch(e.vmid) == (before == epochs.end() ? 0 : before->second)) {
            cache_.store(e.vmid, f->second, e.line);
        }
    }
    for (const auto& e : listed.value()) {
        // This pass's read, else the one read before (a read that raced one of our own changes
        // is used for this pass but not cached; the next pass reads it again).
        const CtConfig* cfg = nullptr;
        if (const auto f = fetched.find(e.vmid); f != fetched.end()) {
            cfg = &f->second;
        } else if (const auto b = cached.find(e.vmid); b != cached.end()) {
            cfg = &b->second;
        } else {
            return fail(e.vmid, Error::transient("observing: no config was printed for it"));
        }
        plan::ObservedContainer c;
        c.vmid = e.vmid;
        c.pveNode = options_.pveNode;
        c.power = powerOf(e.status);
        c.lock = e.lock;
        c.owner = parseMarker(cfg->tags).owner;
        c.hostname = cfg->hostname;
        c.resources.cores = cfg->cores.value_or(out.cpus);
        c.resources.memoryMiB = cfg->memoryMiB;
        c.resources.swapMiB = cfg->swapMiB;
        c.resources.diskGiB = cfg->diskGiB.value_or(0);
        c.ip = cfg->ip;
        c.gateway = cfg->gateway;
        c.bridge = cfg->bridge;
        host.containers.push_back(std::move(c));
    }
    std::sort(host.containers.begin(), host.containers.end(),
              [](const auto& a, const auto& b) { return a.vmid < b.vmid; });
    return host;
}

// ---------------------------------------------------------------------------------------------
// Looking at one container

Result<std::optional<PctHost::Located>> PctHost::inspect(int vmid) {
    const auto argv = pctConfigArgv(vmid);
    auto o = run(argv, options_.commandDeadline);
    if (succeeded(o)) {
        Located l;
        l.config = proxmox::parseCtConfigText(o.out, vmid);
        l.marker = parseMarker(l.config.tags);
        return std::optional<Located>(std::move(l));
    }
    if (o.ok() && o.exitSignal.empty() && configMissing(o.err)) {
        return std::optional<Located>();
    }
    return pctError(o, what(argv));
}

Result<bool> PctHost::has(int vmid) {
    if (auto id = ensureIdentity(); !id) {
        return id.error();
    }
    auto l = inspect(vmid);
    if (!l) {
        return fail(vmid, l.error());
    }
    return l.value().has_value();
}

Result<PctHost::Located> PctHost::requireOurs(int vmid, const std::string& what) {
    if (auto id = ensureIdentity(); !id) {
        return id.error();
    }
    auto l = inspect(vmid);
    if (!l) {
        return fail(vmid, l.error());
    }
    if (!l.value()) {
        // Transient: an observation that is behind (a destroy, a migration) sorts itself out.
        return state(vmid, ErrorKind::Transient, "does not exist; cannot " + what);
    }
    if (auto ours = checkOurs(vmid, *l.value(), what); !ours) {
        return ours.error();
    }
    if (auto unlocked = requireUnlocked(vmid, *l.value()); !unlocked) {
        return unlocked.error();
    }
    return std::move(*l.value());
}

Result<void> PctHost::checkOurs(int vmid, const Located& located, const std::string& what) const {
    const auto& owner = located.marker.owner;
    if (!owner) {
        return state(vmid, ErrorKind::Permanent,
                     "has no chainvisor marker (tags: " + tagsText(located.config) +
                         "): not created by chainvisor; refusing to " + what +
                         " (adopt: true takes it over)");
    }
    if (owner->cluster != options_.clusterName) {
        return state(vmid, ErrorKind::Permanent,
                     "belongs to " + ownerText(*owner) + "; refusing to " + what);
    }
    return {};
}

Result<void> PctHost::requireUnlocked(int vmid, const Located& located) const {
    if (located.config.lock.empty()) {
        return {};
    }
    return state(vmid, ErrorKind::Transient,
                 "is locked (" + located.config.lock +
                     "); waiting for it to clear (a lock left behind by a crash is cleared with "
                     "`pct unlock " +
                     std::to_string(vmid) + "` on " + options_.pveNode + ")");
}

Result<void> PctHost::requireOursToEnter(int vmid, const std::string& what) {
    {
        std::lock_guard guard(mutex_);
        if (const auto* cached = cache_.find(vmid)) {
            const auto owner = parseMarker(cached->config.tags).owner;
            if (owner && owner->cluster == options_.clusterName) {
                return {};
            }
        }
    }
    // Unknown, or not ours when last seen (it may have been adopted since): look now.
    auto l = inspect(vmid);
    if (!l) {
        return fail(vmid, l.error());
    }
    if (!l.value()) {
        return state(vmid, ErrorKind::Transient, "does not exist; cannot " + what);
    }
    return checkOurs(vmid, *l.value(), what);
}

Result<std::string> PctHost::currentStatus(int vmid) {
    const auto argv = pctStatusArgv(vmid);
    auto o = run(argv, options_.commandDeadline);
    if (!succeeded(o)) {
        return fail(vmid, pctError(o, what(argv)));
    }
    return std::string(parsePctStatus(o.out));
}

Result<void> PctHost::confirmStatus(int vmid, const std::string& wanted) {
    const auto since = timing_.now();
    const auto until = since + options_.confirmTimeout;
    while (true) {
        auto s = currentStatus(vmid);
        if (!s) {
            return s.error();
        }
        if (s.value() == wanted) {
            return {};
        }
        if (timing_.now() >= until) {
            return state(vmid, ErrorKind::Transient,
                         "is still " + (s.value().empty() ? std::string("unknown") : s.value()) +
                             " " + proxmox::secondsText(options_.confirmTimeout) +
                             " after pct finished (wanted " + wanted + ")");
        }
        timing_.sleep(pollDelay(timing_.now() - since));
    }
}

Result<std::vector<std::string>> PctHost::snapshotNames(int vmid) {
    const auto argv = pctListSnapshotArgv(vmid);
    auto o = run(argv, options_.commandDeadline);
    if (!succeeded(o)) {
        return fail(vmid, pctError(o, what(argv)));
    }
    return parsePctSnapshots(o.out);
}

// ---------------------------------------------------------------------------------------------
// Create

Result<void> PctHost::alreadyThere(const ContainerSpec& spec, const Located& located) {
    const int vmid = spec.vmid;
    const auto& owner = located.marker.owner;
    if (!owner) {
        return state(vmid, ErrorKind::Permanent,
                     "already exists and was not created by chainvisor (tags: " +
                         tagsText(located.config) + "); choose another vmid, or set adopt: true");
    }
    if (owner->cluster != spec.owner.cluster || owner->node != spec.owner.node) {
        return state(vmid, ErrorKind::Permanent,
                     "already exists and belongs to " + ownerText(*owner) + ", not to " +
                         ownerText(spec.owner));
    }
    // Ours. An earlier attempt's pct create may still be running (its connection was lost): wait
    // for its create lock to go.
    std::string lock = located.config.lock;
    const auto since = timing_.now();
    const auto until = since + options_.taskDeadline;
    while (lock == "create") {
        if (timing_.now() >= until) {
            return state(vmid, ErrorKind::Transient,
                         "is still being created (lock: create) after " +
                             proxmox::secondsText(options_.taskDeadline));
        }
        timing_.sleep(pollDelay(timing_.now() - since));
        auto again = inspect(vmid);
        if (!again) {
            return fail(vmid, again.error());
        }
        if (!again.value()) {
            return state(vmid, ErrorKind::Transient,
                         "was removed by Proxmox after an earlier attempt to create it failed; it "
                         "is created again on the next try");
        }
        lock = again.value()->config.lock;
    }
    invalidate(vmid);
    return {};
}

Result<void> PctHost::create(const ContainerSpec& spec) {
    const int vmid = spec.vmid;
    auto refuse = [&](const std::string& why) { return fail(vmid, Error::permanent(why)); };
    if (vmid < kMinVmid || vmid > kMaxVmid) {
        return refuse("vmid is out of Proxmox's range " + std::to_string(kMinVmid) + "–" +
                      std::to_string(kMaxVmid));
    }
    if (spec.pveNode != options_.pveNode) {
        return refuse("pveNode '" + spec.pveNode + "' is not this host's node " + options_.pveNode);
    }
    if (!taggable(spec.owner.cluster) || !taggable(spec.owner.node)) {
        return refuse("the owner '" + spec.owner.cluster + "/" + spec.owner.node +
                      "' cannot be written as Proxmox tags ([a-z0-9_+.-])");
    }
    if (spec.owner.cluster != options_.clusterName) {
        return refuse("the spec's owner is cluster " + spec.owner.cluster +
                      ", but this host serves cluster " + options_.clusterName);
    }
    if (spec.osTemplate.empty() || spec.osTemplate.front() == '-') {
        return refuse(
            "no usable osTemplate (defaults.osTemplate or nodes[].osTemplate, e.g. "
            "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst)");
    }
    if (!plainName(spec.storage)) {
        return refuse("the storage for the root disk must be a Proxmox storage id, not '" +
                      spec.storage + "'");
    }
    if (!spec.bridge.empty() && !plainName(spec.bridge)) {
        return refuse("the bridge must be a plain interface name, not '" + spec.bridge + "'");
    }
    const auto& r = spec.resources;
    if (r.cores < 1 || r.memoryMiB < 16 || r.swapMiB < 0 || r.diskGiB < 1) {
        return refuse("resources need cores ≥ 1, memory ≥ 16 MiB, swap ≥ 0, disk ≥ 1 GiB");
    }
    if (spec.gateway && !spec.ip) {
        return refuse("a gateway needs an ip");
    }
    if (auto id = ensureIdentity(); !id) {
        return id;
    }

    // Made already (an earlier attempt whose answer was lost)?
    auto before = inspect(vmid);
    if (!before) {
        return fail(vmid, before.error());
    }
    if (before.value()) {
        return alreadyThere(spec, *before.value());
    }

    const auto argv = pctCreateArgv(spec);
    auto o = run(argv, options_.taskDeadline);
    invalidate(vmid);
    if (succeeded(o)) {
        spdlog::debug("{}: created", where(vmid));
        return {};
    }
    const Error failure = pctError(o, what(argv));
    if (!o.ok() && o.permanent) {
        return fail(vmid, failure);
    }
    // After any failure, look again: an "already exists", a lost connection or a failed report
    // may all hide a container that is there, ours or not.
    auto after = inspect(vmid);
    if (after && after.value()) {
        return alreadyThere(spec, *after.value());
    }
    if (mentions(o, "already exists on node '")) {
        // pct only sees its own node: the vmid is taken elsewhere in the Proxmox cluster.
        return fail(vmid, Error::permanent(lastLines(o.err) +
                                           "; choose another vmid or move that container"));
    }
    return fail(vmid, failure);
}

// ---------------------------------------------------------------------------------------------
// Update, resize

Result<void> PctHost::update(const ContainerSpec& spec,
                             const std::vector<plan::FieldChange>& changes) {
    const int vmid = spec.vmid;
    auto classified = classifyChanges(changes, spec.owner, options_.clusterName, "with pct");
    if (!classified) {
        return fail(vmid, classified.error());
    }
    const bool adopt = classified.value().adopt;
    const bool network = classified.value().network;
    if (changes.empty()) {
        return {};
    }
    if (spec.pveNode != options_.pveNode) {
        return fail(vmid, Error::permanent("pveNode '" + spec.pveNode +
                                           "' is not this host's node " + options_.pveNode));
    }
    if (network && !spec.bridge.empty() && !plainName(spec.bridge)) {
        return fail(vmid, Error::permanent("the bridge must be a plain interface name, not '" +
                                           spec.bridge + "'"));
    }
    if (auto id = ensureIdentity(); !id) {
        return id;
    }
    auto l = inspect(vmid);
    if (!l) {
        return fail(vmid, l.error());
    }
    if (!l.value()) {
        return state(vmid, ErrorKind::Transient, "does not exist; cannot update it");
    }
    const Located& located = *l.value();
    if (auto updatable = checkUpdatable(located.marker, located.config.tags, spec.owner,
                                        options_.clusterName, adopt);
        !updatable) {
        return state(vmid, updatable.error().kind, updatable.error().message);
    }
    if (auto unlocked = requireUnlocked(vmid, located); !unlocked) {
        return unlocked;
    }
    if (!classified.value().needStopped.empty()) {
        auto s = currentStatus(vmid);
        if (!s) {
            return s.error();
        }
        if (auto stopped = checkStopped(classified.value(), s.value()); !stopped) {
            return fail(vmid, stopped.error());
        }
    }

    std::vector<std::pair<std::string, std::string>> options;
    for (const auto& c : changes) {
        if (c.field == "memory") {
            options.emplace_back("memory", std::to_string(spec.resources.memoryMiB));
        } else if (c.field == "swap") {
            options.emplace_back("swap", std::to_string(spec.resources.swapMiB));
        } else if (c.field == "cores") {
            options.emplace_back("cores", std::to_string(spec.resources.cores));
        } else if (c.field == "hostname") {
            options.emplace_back("hostname", spec.hostname);
        }
    }
    if (network) {
        options.emplace_back(
            "net0", proxmox::net0Updated(located.config.net0.empty() ? std::string("name=eth0")
                                                                     : located.config.net0,
                                         spec));
    }
    if (adopt) {
        const std::string tags = proxmox::tagsWithMarker(located.config.tags, spec.owner);
        if (proxmox::splitTags(tags) != proxmox::splitTags(located.config.tags)) {
            options.emplace_back("tags", tags);
        }
    }
    if (options.empty()) {
        return {};
    }
    const auto argv = pctSetArgv(vmid, options);
    auto o = run(argv, options_.commandDeadline);
    invalidate(vmid);
    if (!succeeded(o)) {
        return fail(vmid, pctError(o, what(argv)));
    }
    spdlog::debug("{}: updated ({} field(s){})", where(vmid), changes.size(),
                  adopt ? ", marked as ours" : "");
    return {};
}

Result<void> PctHost::resizeDisk(int vmid, int diskGiB) {
    if (diskGiB <= 0) {
        return fail(vmid,
                    Error::permanent("disk size must be positive, not " + std::to_string(diskGiB)));
    }
    auto l = requireOurs(vmid, "resize its disk");
    if (!l) {
        return l.error();
    }
    if (const auto current = l.value().config.diskGiB) {
        if (diskGiB < *current) {
            return fail(
                vmid, Error::permanent("the root disk cannot shrink (" + std::to_string(*current) +
                                       " → " + std::to_string(diskGiB) + " GiB)"));
        }
        if (diskGiB == *current) {
            return {};
        }
    }
    const auto argv = pctResizeArgv(vmid, diskGiB);
    auto o = run(argv, options_.taskDeadline);
    invalidate(vmid);
    if (!succeeded(o)) {
        return fail(vmid, pctError(o, what(argv)));
    }
    // pct resize exits 0 even when its task failed (the error is only on stderr): believe the
    // config, not the exit code.
    auto after = requireOurs(vmid, "check its disk");
    if (!after) {
        return after.error();
    }
    if (const auto now = after.value().config.diskGiB; now && *now < diskGiB) {
        const std::string said = lastLines(o.err);
        return fail(vmid,
                    Error::transient("pct resize exited 0 but the root disk is still " +
                                     std::to_string(*now) + " GiB, not " + std::to_string(diskGiB) +
                                     (said.empty() ? "" : " (pct: " + said + ")")));
    }
    spdlog::debug("{}: root disk resized to {} GiB", where(vmid), diskGiB);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Power

Result<void> PctHost::start(int vmid) {
    auto l = requireOurs(vmid, "start it");
    if (!l) {
        return l.error();
    }
    const auto argv = pctStartArgv(vmid);
    auto o = run(argv, options_.taskDeadline);
    if (!succeeded(o) && !mentions(o, "already running")) {
        return fail(vmid, pctError(o, what(argv)));
    }
    // An HA-managed container's start only asks the HA manager: wait until it runs.
    if (auto c = confirmStatus(vmid, "running"); !c) {
        return c;
    }
    spdlog::debug("{}: started", where(vmid));
    return {};
}

Result<void> PctHost::stop(int vmid, std::chrono::seconds grace) {
    auto l = requireOurs(vmid, "stop it");
    if (!l) {
        return l.error();
    }
    // pct shutdown itself waits `grace` before it forces the stop.
    const milliseconds deadline = std::max<milliseconds>(options_.taskDeadline, grace + 60s);
    const auto argv = pctShutdownArgv(vmid, grace);
    auto o = run(argv, deadline);
    if (!succeeded(o)) {
        if (mentions(o, "not running")) {
            return {};
        }
        if (!o.ok() || !o.exitSignal.empty()) {
            // Not known to have failed: it may still be shutting down. The next attempt looks.
            return fail(vmid, pctError(o, what(argv)));
        }
        spdlog::warn("{}; stopping it hard", fail(vmid, pctError(o, what(argv))).message);
        const auto hardArgv = pctStopArgv(vmid);
        auto hard = run(hardArgv, options_.taskDeadline);
        if (!succeeded(hard)) {
            if (mentions(hard, "not running")) {
                return {};
            }
            return fail(vmid, pctError(hard, what(hardArgv)));
        }
    }
    if (auto c = confirmStatus(vmid, "stopped"); !c) {
        return c;
    }
    spdlog::debug("{}: stopped", where(vmid));
    return {};
}

// ---------------------------------------------------------------------------------------------
// Snapshots, destroy

Result<void> PctHost::snapshot(int vmid, const std::string& name) {
    if (auto valid = checkSnapshotName(name); !valid) {
        return fail(vmid, valid.error());
    }
    auto l = requireOurs(vmid, "snapshot it");
    if (!l) {
        return l.error();
    }
    auto has = [&]() -> Result<bool> {
        auto names = snapshotNames(vmid);
        if (!names) {
            return names.error();
        }
        return std::find(names.value().begin(), names.value().end(), name) != names.value().end();
    };
    auto before = has();
    if (!before) {
        return before.error();
    }
    if (before.value()) {
        return {};
    }
    const auto argv = pctSnapshotArgv(vmid, name);
    auto o = run(argv, options_.taskDeadline);
    if (succeeded(o)) {
        spdlog::debug("{}: snapshot {} taken", where(vmid), name);
        return {};
    }
    if (o.ok() || !o.permanent) {
        // Taken after all (a lost connection, a retried call)?
        if (auto after = has(); after && after.value()) {
            return {};
        }
    }
    return fail(vmid, pctError(o, what(argv)));
}

Result<void> PctHost::rollback(int vmid, const std::string& name) {
    if (auto valid = checkSnapshotName(name); !valid) {
        return fail(vmid, valid.error());
    }
    auto l = requireOurs(vmid, "roll it back");
    if (!l) {
        return l.error();
    }
    auto names = snapshotNames(vmid);
    if (!names) {
        return names.error();
    }
    if (std::find(names.value().begin(), names.value().end(), name) == names.value().end()) {
        return state(vmid, ErrorKind::Permanent, "has no snapshot named " + name);
    }
    const auto argv = pctRollbackArgv(vmid, name);
    auto o = run(argv, options_.taskDeadline);
    invalidate(vmid);
    if (!succeeded(o)) {
        return fail(vmid, pctError(o, what(argv)));
    }
    spdlog::debug("{}: rolled back to {}", where(vmid), name);
    return {};
}

Result<void> PctHost::destroy(int vmid) {
    if (auto id = ensureIdentity(); !id) {
        return id;
    }
    auto l = inspect(vmid);
    if (!l) {
        return fail(vmid, l.error());
    }
    if (!l.value()) {
        invalidate(vmid);
        return {};  // gone already
    }
    if (auto ours = checkOurs(vmid, *l.value(), "destroy it"); !ours) {
        return ours;
    }
    if (auto unlocked = requireUnlocked(vmid, *l.value()); !unlocked) {
        return unlocked;
    }
    const auto argv = pctDestroyArgv(vmid);
    auto o = run(argv, options_.taskDeadline);
    invalidate(vmid);
    if (succeeded(o) || (o.ok() && configMissing(o.err))) {
        spdlog::debug("{}: destroyed", where(vmid));
        return {};
    }
    return fail(vmid, pctError(o, what(argv)));
}

// ---------------------------------------------------------------------------------------------
// Inside containers

Result<ExecResult> PctHost::exec(int vmid, const std::vector<std::string>& argv,
                                 milliseconds deadline) {
    if (argv.empty() || argv.front().empty()) {
        return fail(vmid, Error::permanent("exec needs a command"));
    }
    if (auto id = ensureIdentity(); !id) {
        return id.error();
    }
    if (auto ours = requireOursToEnter(vmid, "run a command in it"); !ours) {
        return ours.error();
    }
    auto r = pctExec(*shell_, vmid, argv, deadline);
    if (!r) {
        return fail(vmid, r.error());
    }
    return r;
}

Result<void> PctHost::writeFile(int vmid, const FileWrite& file) {
    if (auto valid = checkFileWrite(file); !valid) {
        return fail(vmid, valid.error());
    }
    if (auto id = ensureIdentity(); !id) {
        return id;
    }
    if (auto ours = requireOursToEnter(vmid, "write a file in it"); !ours) {
        return ours;
    }
    if (auto r = pctPush(*shell_, vmid, file, options_.commandDeadline); !r) {
        return fail(vmid, r.error());
    }
    return {};
}

}  // namespace chainvisor::hosts::pct
