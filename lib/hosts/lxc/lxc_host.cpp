#include "hosts/lxc/lxc_host.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "hosts/lxc/container_config.h"
#include "hosts/lxc/files.h"

namespace chainvisor::hosts::lxc {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kConfigFile = "config";
constexpr const char* kMarkerFile = "chainvisor.json";
// Present while create() is filling the directory: such a directory is not a container yet, and
// the next create() starts it over.
constexpr const char* kCreatingFile = "chainvisor.creating";
constexpr const char* kUpperDir = "upper";
constexpr const char* kWorkDir = "work";  // LXC puts overlayfs' workdir next to the upper dir
constexpr const char* kSnapshotsDir = "snapshots";
constexpr int kMaxVmid = 999'999'999;
constexpr auto kInfoDeadline = 15s;
constexpr auto kStopSlack = 30s;  // lxc-stop's own deadline beyond the grace it was given

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

std::string msText(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) {
        return std::to_string(d.count() / 1000) + "s";
    }
    return std::to_string(d.count()) + "ms";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// One line that says why a tool failed: its first error line (LXC ends with generic hints, so
// the last line says little), cut short. Tools' stderr never carries file contents.
std::string detailOf(const os::ProcessResult& r) {
    const std::string& text = r.err.empty() ? r.out : r.err;
    std::istringstream lines(text);
    std::string line;
    std::string first;
    std::string best;
    while (std::getline(lines, line)) {
        line = trimmed(line);
        if (line.empty()) {
            continue;
        }
        if (first.empty()) {
            first = line;
        }
        if (best.empty() &&
            (line.find("ERROR") != std::string::npos || line.find("rror") != std::string::npos ||
             line.find("ailed") != std::string::npos)) {
            best = line;
        }
    }
    std::string detail = best.empty() ? first : best;
    if (detail.empty()) {
        detail = "exit status " + std::to_string(r.exitCode);
    }
    if (detail.size() > 300) {
        detail = detail.substr(0, 300) + "…";
    }
    return detail;
}

Error toolFailed(const std::string& where, const std::string& tool, const os::ProcessResult& r) {
    return Error::transient(where + ": " + tool + " failed: " + detailOf(r));
}

bool isRunning(const std::string& state) {
    return state == "RUNNING";
}

plan::PowerState powerOf(const std::string& state) {
    if (state == "RUNNING" || state == "FROZEN" || state == "FREEZING" || state == "THAWED") {
        return plan::PowerState::Running;
    }
    if (state == "STOPPED") {
        return plan::PowerState::Stopped;
    }
    return plan::PowerState::Unknown;  // STARTING, STOPPING, ABORTING
}

std::optional<int> vmidOfDirectory(const std::string& name) {
    if (name.size() < 4 || name.rfind("cv-", 0) != 0 || name[3] == '0' || name.size() > 12) {
        return std::nullopt;
    }
    int vmid = 0;
    for (std::size_t i = 3; i < name.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(name[i]))) {
            return std::nullopt;
        }
        vmid = vmid * 10 + (name[i] - '0');
    }
    return vmid <= kMaxVmid ? std::optional<int>(vmid) : std::nullopt;
}

// `lxc-ls --fancy --fancy-format name,state`: a header "NAME STATE" and one row per container.
std::optional<std::map<std::string, std::string>> parseLxcLs(const std::string& out) {
    std::map<std::string, std::string> states;
    std::istringstream lines(out);
    std::string line;
    bool header = false;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string name, state, extra;
        if (!(fields >> name)) {
            continue;
        }
        if (!(fields >> state) || (fields >> extra)) {
            return std::nullopt;
        }
        if (!header) {
            if (name != "NAME" || state != "STATE") {
                return std::nullopt;
            }
            header = true;
            continue;
        }
        states[name] = state;
    }
    return states;
}

std::string randomHex(std::size_t bytes) {
    std::random_device rd;
    std::string out;
    static constexpr char kDigits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < bytes; ++i) {
        const auto b = static_cast<unsigned>(rd()) & 0xffU;
        out += kDigits[b >> 4];
        out += kDigits[b & 0xfU];
    }
    return out;
}

bool sameOwner(const plan::OwnerMarker& a, const plan::OwnerMarker& b) {
    return a.cluster == b.cluster && a.node == b.node;
}

std::string ownerText(const plan::OwnerMarker& o) {
    return "cluster " + o.cluster + " node " + o.node;
}

bool validSnapshotName(const std::string& name) {
    static const std::regex pattern("^[A-Za-z][A-Za-z0-9_-]{0,39}$");
    return std::regex_match(name, pattern);
}

Result<void> validateSpec(const ContainerSpec& s) {
    const std::string name = LxcHost::containerName(s.vmid);
    if (s.vmid <= 0 || s.vmid > kMaxVmid) {
        return Error::permanent("vmid " + std::to_string(s.vmid) + " is out of range 1–" +
                                std::to_string(kMaxVmid));
    }
    if (s.owner.cluster.empty() || s.owner.node.empty()) {
        return Error::permanent(name + ": the spec names no owner (cluster and node)");
    }
    if (!validHostname(s.hostname)) {
        return Error::permanent(name + ": hostname '" + s.hostname +
                                "' is not a valid host name (letters, digits, '-', '.'; at most "
                                "63 characters)");
    }
    if (!validBridge(s.bridge)) {
        return Error::permanent(name + ": bridge '" + s.bridge +
                                "' is not a valid interface name (1–15 of A-Z a-z 0-9 _ . -)");
    }
    if (s.gateway && !s.ip) {
        return Error::permanent(name + ": a gateway needs an ip");
    }
    if (s.gateway && s.ip && !s.ip->contains(*s.gateway)) {
        return Error::permanent(name + ": gateway " + s.gateway->str() + " is not in " +
                                s.ip->str());
    }
    const auto& r = s.resources;
    if (r.cores < 1 || r.memoryMiB < 16 || r.swapMiB < 0 || r.diskGiB < 0) {
        return Error::permanent(name +
                                ": resources need cores ≥ 1, memory ≥ 16 MiB, swap and disk ≥ 0");
    }
    return {};
}

// Identity files that make one container of the shared base: names and a machine-id of its own.
std::vector<FileWrite> identityFiles(const std::string& hostname) {
    std::vector<FileWrite> files;
    files.push_back(FileWrite{"/etc/hostname", hostname + "\n", 0644, "root", "root"});
    files.push_back(FileWrite{"/etc/hosts",
                              "127.0.0.1\tlocalhost\n127.0.1.1\t" + hostname +
                                  "\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                                  "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
                              0644, "root", "root"});
    return files;
}

Result<void> makeDirectory(const fs::path& dir, unsigned mode) {
    if (::mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
        return Error::transient("cannot create " + dir.string() + ": " + std::strerror(errno));
    }
    ::chmod(dir.c_str(), static_cast<mode_t>(mode));  // mkdir's mode went through the umask
    return {};
}

Error prefixed(const std::string& where, const Error& e) {
    return Error{e.kind, where + ": " + e.message};
}

}  // namespace

LxcHost::LxcHost(LxcHostOptions options, os::ProcessRunner& runner)
    : options_(std::move(options)),
      runner_(runner),
      cgroups_(options_.cgroups ? *options_.cgroups : detectCgroupFacts()),
      base_(options_.cacheDir.lexically_normal(), options_.mirror, runner,
            options_.baseBuildDeadline) {
    options_.lxcPath = options_.lxcPath.lexically_normal();
    if (options_.lxcPath.has_filename() == false) {
        options_.lxcPath = options_.lxcPath.parent_path();
    }
    // These paths go into LXC configs ("overlay:LOWER:UPPER"): no separators, no line breaks.
    for (const fs::path& p : {options_.lxcPath, base_.path()}) {
        const std::string s = p.string();
        if (!p.is_absolute() || s.find_first_of(":\n\r\t ") != std::string::npos) {
            pathProblem_ = s +
                           " cannot be used in an LXC config (needs an absolute path without "
                           "':' or white space)";
        }
    }
}

std::string LxcHost::containerName(int vmid) {
    return "cv-" + std::to_string(vmid);
}

fs::path LxcHost::containerDir(int vmid) const {
    return options_.lxcPath / containerName(vmid);
}

std::vector<std::string> LxcHost::lxcArgs(const std::string& tool, int vmid) const {
    return {tool, "-P", options_.lxcPath.string(), "-n", containerName(vmid)};
}

Result<os::ProcessResult> LxcHost::tool(const std::string& where,
                                        const std::vector<std::string>& argv,
                                        std::chrono::milliseconds deadline,
                                        std::string input) const {
    os::ProcessOptions options;
    options.deadline = deadline;
    options.input = std::move(input);
    options.maxOutput = 256 * 1024;
    auto r = runner_.run(argv, options);
    const std::string what = where + ": " + argv.front();
    if (r.startFailed) {
        return Error::permanent(what + " could not run: " + r.err);
    }
    if (r.timedOut) {
        return Error::transient(what + " timed out after " + msText(deadline));
    }
    if (r.signal != 0) {
        return Error::transient(what + " was killed by signal " + std::to_string(r.signal));
    }
    return r;
}

Result<FileLock> LxcHost::lock(int vmid) const {
    const fs::path dir = options_.lxcPath / ".chainvisor" / "locks";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        return Error::transient(containerName(vmid) + ": cannot create " + dir.string() + ": " +
                                ec.message());
    }
    auto l = FileLock::acquire(dir / (containerName(vmid) + ".lock"), options_.lockWait);
    if (!l) {
        return prefixed(containerName(vmid), l.error());
    }
    return l;
}

Result<Marker> LxcHost::requireMarker(int vmid, const std::string& what,
                                      const plan::OwnerMarker* owner) const {
    const std::string name = containerName(vmid);
    const fs::path dir = containerDir(vmid);
    if (vmid <= 0 || vmid > kMaxVmid) {
        return Error::permanent("vmid " + std::to_string(vmid) + " is out of range");
    }
    if (!present(dir / kConfigFile) || present(dir / kCreatingFile)) {
        return Error::permanent(name + " does not exist in " + options_.lxcPath.string() +
                                "; cannot " + what);
    }
    const auto text = readFile(dir / kMarkerFile);
    auto marker = text ? parseMarker(*text) : std::nullopt;
    if (!marker) {
        return Error::permanent(name + " has no readable chainvisor marker (" +
                                (dir / kMarkerFile).string() +
                                "): not created by chainvisor; refusing to " + what);
    }
    if (marker->vmid != vmid) {
        return Error::permanent(name + ": its marker names vmid " + std::to_string(marker->vmid) +
                                "; refusing to " + what);
    }
    if (owner != nullptr && !sameOwner(marker->owner, *owner)) {
        return Error::permanent(name + " belongs to " + ownerText(marker->owner) + ", not " +
                                ownerText(*owner) + "; refusing to " + what);
    }
    return std::move(*marker);
}

Result<std::string> LxcHost::state(int vmid) const {
    auto argv = lxcArgs("lxc-info", vmid);
    argv.insert(argv.end(), {"-s", "-H"});
    auto r = tool(containerName(vmid), argv, kInfoDeadline);
    if (!r) {
        return r.error();
    }
    if (r.value().exitCode != 0) {
        return toolFailed(containerName(vmid), "lxc-info", r.value());
    }
    return trimmed(r.value().out);
}

std::string LxcHost::hwaddrFor(int vmid) const {
    // Stable per lxcpath and vmid (FNV-1a), locally administered, unicast.
    std::uint64_t h = 1469598103934665603ULL;
    for (const char c : options_.lxcPath.string() + "/" + std::to_string(vmid)) {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    char text[18];
    std::snprintf(text, sizeof text, "02:%02x:%02x:%02x:%02x:%02x",
                  static_cast<unsigned>((h >> 32) & 0xff), static_cast<unsigned>((h >> 24) & 0xff),
                  static_cast<unsigned>((h >> 16) & 0xff), static_cast<unsigned>((h >> 8) & 0xff),
                  static_cast<unsigned>(h & 0xff));
    return text;
}

Result<plan::ObservedHost> LxcHost::observe() {
    plan::ObservedHost host;
    host.name = options_.name;
    host.reachable = true;
    if (!present(options_.lxcPath)) {
        return host;  // nothing created yet
    }
    std::vector<int> vmids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options_.lxcPath, ec)) {
        const auto vmid = vmidOfDirectory(entry.path().filename().string());
        if (vmid && present(entry.path() / kConfigFile) && !present(entry.path() / kCreatingFile)) {
            vmids.push_back(*vmid);
        }
    }
    if (ec) {
        return Error::transient(options_.name + ": cannot list " + options_.lxcPath.string() +
                                ": " + ec.message());
    }
    if (vmids.empty()) {
        return host;
    }
    std::sort(vmids.begin(), vmids.end());

    // One lxc-ls for every container's state.
    auto ls =
        tool(options_.name,
             {"lxc-ls", "-P", options_.lxcPath.string(), "--fancy", "--fancy-format", "name,state"},
             options_.toolDeadline);
    if (!ls) {
        return ls.error();
    }
    if (ls.value().exitCode != 0) {
        return toolFailed(options_.name, "lxc-ls", ls.value());
    }
    const auto states = parseLxcLs(ls.value().out);
    if (!states) {
        return Error::transient(options_.name + ": lxc-ls printed something unexpected");
    }

    for (const int vmid : vmids) {
        const fs::path dir = containerDir(vmid);
        const auto configText = readFile(dir / kConfigFile);
        if (!configText) {
            if (!present(dir)) {
                continue;  // destroyed since we listed it
            }
            return Error::transient(options_.name + ": cannot read " +
                                    (dir / kConfigFile).string());
        }
        const auto settings = readSettings(LxcConfig::parse(*configText));
        const auto markerText = readFile(dir / kMarkerFile);
        auto marker = markerText ? parseMarker(*markerText) : std::nullopt;
        if (marker && marker->vmid != vmid) {
            marker.reset();  // a copied directory: not the container its marker describes
        }

        plan::ObservedContainer c;
        c.vmid = vmid;
        const auto st = states->find(containerName(vmid));
        c.power = st == states->end() ? plan::PowerState::Unknown : powerOf(st->second);
        if (marker) {
            c.owner = marker->owner;
        }
        c.hostname = settings.hostname;
        c.ip = settings.ip;
        c.gateway = settings.gateway;
        c.bridge = settings.bridge;
        // Memory is what the config enforces; swap too where the kernel accounts it. Cores are
        // what was asked for (the cpuset is clamped to this machine), unless someone changed the
        // cpuset. Disk is only ever recorded (directory storage has no quota).
        const spec::Resources recorded = marker ? marker->resources : spec::Resources{0, 0, 0, 0};
        c.resources.memoryMiB = settings.memoryMiB.value_or(recorded.memoryMiB);
        c.resources.swapMiB = settings.swapMiB.value_or(recorded.swapMiB);
        c.resources.diskGiB = recorded.diskGiB;
        const int expectedCpus =
            std::min(std::max(recorded.cores, 1), static_cast<int>(cgroups_.cpus.size()));
        if (settings.cpuCount && (!marker || *settings.cpuCount != expectedCpus)) {
            c.resources.cores = *settings.cpuCount;
        } else {
            c.resources.cores = recorded.cores;
        }
        for (const auto& snap : fs::directory_iterator(dir / kSnapshotsDir, ec)) {
            const std::string name = snap.path().filename().string();
            if (!name.empty() && name.front() != '.' && snap.is_directory(ec)) {
                c.snapshots.push_back(name);
            }
        }
        ec.clear();
        std::sort(c.snapshots.begin(), c.snapshots.end());
        host.containers.push_back(std::move(c));
    }
    return host;
}

Result<void> LxcHost::create(const ContainerSpec& spec) {
    if (auto valid = validateSpec(spec); !valid) {
        return valid;
    }
    const std::string name = containerName(spec.vmid);
    if (!pathProblem_.empty()) {
        return Error::permanent(name + ": " + pathProblem_);
    }
    auto held = lock(spec.vmid);
    if (!held) {
        return held.error();
    }
    const fs::path dir = containerDir(spec.vmid);
    if (present(dir)) {
        if (present(dir / kCreatingFile)) {
            // An interrupted create: start over, unless another cluster's create left it.
            const auto text = readFile(dir / kCreatingFile);
            const auto m = text ? parseMarker(*text) : std::nullopt;
            if (m && !sameOwner(m->owner, spec.owner)) {
                return Error::permanent(name + ": an interrupted creation by " +
                                        ownerText(m->owner) + " is in " + dir.string() +
                                        "; refusing to replace it");
            }
            if (auto removed = removeTree(dir); !removed) {
                return prefixed(name, removed.error());
            }
        } else {
            auto m = requireMarker(spec.vmid, "create it again", &spec.owner);
            if (!m) {
                return m.error();
            }
            return {};  // already made by us for this node: a retried create is a success
        }
    }

    if (auto b = base_.ensure(); !b) {
        return prefixed(name, b.error());
    }
    std::error_code ec;
    fs::create_directories(options_.lxcPath, ec);
    if (ec) {
        return Error::transient(name + ": cannot create " + options_.lxcPath.string() + ": " +
                                ec.message());
    }
    const auto marker = renderMarker(markerFor(spec));
    const fs::path upper = dir / kUpperDir;
    Result<void> step = makeDirectory(dir, 0700);
    if (step) {
        step = writeFileAtomic(dir / kCreatingFile, marker, 0600);
    }
    if (step) {
        step = makeDirectory(upper, 0755);
    }
    if (step) {
        step = makeDirectory(upper / "etc", 0755);
    }
    // The upper layer starts with this container's identity; everything else is the base's.
    for (const auto& f : identityFiles(spec.hostname)) {
        if (step) {
            step = writeFileAtomic(upper / f.path.substr(1), f.content, f.mode);
        }
    }
    if (step) {
        step = writeFileAtomic(upper / "etc/machine-id", randomHex(16) + "\n", 0444);
    }
    auto config =
        LxcConfig::parse(initialConfig("overlay:" + base_.path().string() + ":" + upper.string(),
                                       hwaddrFor(spec.vmid), dir / "lxc.log"));
    config.replace(managedKeys(), managedEntries(spec, cgroups_));
    if (step) {
        step = writeFileAtomic(dir / kConfigFile, config.text(), 0640);
    }
    if (step) {
        step = writeFileAtomic(dir / kMarkerFile, marker, 0644);
    }
    if (!step) {
        return prefixed(name, step.error());
    }
    if (::unlink((dir / kCreatingFile).c_str()) != 0) {
        return Error::transient(name + ": cannot remove " + (dir / kCreatingFile).string() + ": " +
                                std::strerror(errno));
    }
    return {};
}

Result<void> LxcHost::update(const ContainerSpec& spec,
                             const std::vector<plan::FieldChange>& changes) {
    if (auto valid = validateSpec(spec); !valid) {
        return valid;
    }
    const std::string name = containerName(spec.vmid);
    auto held = lock(spec.vmid);
    if (!held) {
        return held.error();
    }
    const fs::path dir = containerDir(spec.vmid);
    // Taking ownership (adopt: true) is the one update allowed without our marker, or over a
    // marker of the same cluster naming another node; never over another cluster's.
    const bool adopt = std::any_of(changes.begin(), changes.end(),
                                   [](const plan::FieldChange& c) { return c.field == "owner"; });
    std::optional<Marker> previous;
    if (auto m = requireMarker(spec.vmid, "update it", adopt ? nullptr : &spec.owner)) {
        previous = std::move(m.value());
        if (adopt && previous->owner.cluster != spec.owner.cluster) {
            return Error::permanent(name + " belongs to " + ownerText(previous->owner) +
                                    "; refusing to take it over for " + ownerText(spec.owner));
        }
    } else if (!adopt || !present(dir / kConfigFile) || present(dir / kCreatingFile)) {
        return m.error();
    }

    const auto configText = readFile(dir / kConfigFile);
    if (!configText) {
        return Error::transient(name + ": cannot read " + (dir / kConfigFile).string());
    }
    auto config = LxcConfig::parse(*configText);
    const auto before = readSettings(config);
    auto st = state(spec.vmid);
    if (!st) {
        return st.error();
    }
    const bool running = st.value() != "STOPPED";

    // Live changes on a running container, checked before anything is touched.
    bool liveMemory = false;
    bool liveCpus = false;
    for (const auto& c : changes) {
        if (!running || !c.live) {
            continue;
        }
        if (c.field == "memory" || c.field == "swap") {
            liveMemory = true;
        } else if (c.field == "cores") {
            liveCpus = true;
        } else if (c.field != "owner") {
            return Error::permanent(name + ": " + c.field +
                                    " cannot change while the container runs; stop it first");
        }
    }
    const auto entries = managedEntries(spec, cgroups_);
    auto entry = [&](const std::string& key) -> std::optional<std::string> {
        for (const auto& [k, v] : entries) {
            if (k == key) {
                return v;
            }
        }
        return std::nullopt;
    };
    auto setCgroup = [&](const std::string& key, const std::string& value) -> Result<void> {
        auto argv = lxcArgs("lxc-cgroup", spec.vmid);
        argv.insert(argv.end(), {key, value});
        auto r = tool(name, argv, options_.toolDeadline);
        if (!r) {
            return r.error();
        }
        if (r.value().exitCode != 0) {
            return toolFailed(name, "lxc-cgroup " + key, r.value());
        }
        return {};
    };
    if (liveMemory) {
        if (cgroups_.unified) {
            for (const char* key : {"memory.max", "memory.swap.max"}) {
                if (auto v = entry(std::string("lxc.cgroup2.") + key)) {
                    if (auto s = setCgroup(key, *v); !s) {
                        return s;
                    }
                }
            }
        } else {
            const auto memory = entry("lxc.cgroup.memory.limit_in_bytes");
            const auto memsw = entry("lxc.cgroup.memory.memsw.limit_in_bytes");
            // v1 requires memory ≤ memsw at every step: raise memsw first when it grows, else
            // lower memory first.
            bool memswFirst = false;
            if (memsw) {
                auto argv = lxcArgs("lxc-cgroup", spec.vmid);
                argv.push_back("memory.memsw.limit_in_bytes");
                auto r = tool(name, argv, options_.toolDeadline);
                if (!r) {
                    return r.error();
                }
                if (r.value().exitCode != 0) {
                    return toolFailed(name, "lxc-cgroup memory.memsw.limit_in_bytes", r.value());
                }
                const auto current = parseBytes(trimmed(r.value().out));
                const auto wanted = parseBytes(*memsw);
                memswFirst = current && wanted && *wanted >= *current;
            }
            std::vector<std::pair<std::string, std::string>> order;
            if (memsw && memswFirst) {
                order.emplace_back("memory.memsw.limit_in_bytes", *memsw);
            }
            if (memory) {
                order.emplace_back("memory.limit_in_bytes", *memory);
            }
            if (memsw && !memswFirst) {
                order.emplace_back("memory.memsw.limit_in_bytes", *memsw);
            }
            for (const auto& [key, value] : order) {
                if (auto s = setCgroup(key, value); !s) {
                    return s;
                }
            }
        }
    }
    if (liveCpus) {
        if (auto v =
                entry(cgroups_.unified ? "lxc.cgroup2.cpuset.cpus" : "lxc.cgroup.cpuset.cpus")) {
            if (auto s = setCgroup("cpuset.cpus", *v); !s) {
                return s;
            }
        }
    }

    // Persist: the config (effective at the next start for what was not applied live), the
    // identity files, then the marker.
    config.replace(managedKeys(), entries);
    if (auto w = writeFileAtomic(dir / kConfigFile, config.text(), 0640); !w) {
        return prefixed(name, w.error());
    }
    if (before.hostname != lower(spec.hostname)) {
        if (auto w = writeIdentity(spec.vmid, spec.hostname, running); !w) {
            return w;
        }
    }
    Marker marker = markerFor(spec);
    if (previous) {
        marker.resources.diskGiB = previous->resources.diskGiB;  // only resizeDisk changes it
    }
    if (auto w = writeFileAtomic(dir / kMarkerFile, renderMarker(marker), 0644); !w) {
        return prefixed(name, w.error());
    }
    return {};
}

Result<void> LxcHost::writeIdentity(int vmid, const std::string& hostname, bool running) {
    const fs::path upper = containerDir(vmid) / kUpperDir;
    if (!present(upper / "etc")) {
        return {};  // not our overlay layout (an adopted container): lxc.uts.name must do
    }
    for (const auto& f : identityFiles(hostname)) {
        // A stopped container's upper layer is a plain directory; a running one's is mounted,
        // and only writes through the container are defined.
        auto w = running ? writeInside(vmid, f)
                         : writeFileAtomic(upper / f.path.substr(1), f.content, f.mode);
        if (!w) {
            return running ? w : prefixed(containerName(vmid), w.error());
        }
    }
    return {};
}

Result<void> LxcHost::resizeDisk(int vmid, int diskGiB) {
    const std::string name = containerName(vmid);
    if (diskGiB <= 0) {
        return Error::permanent(name + ": disk size must be positive, not " +
                                std::to_string(diskGiB));
    }
    auto held = lock(vmid);
    if (!held) {
        return held.error();
    }
    auto marker = requireMarker(vmid, "resize its disk", nullptr);
    if (!marker) {
        return marker.error();
    }
    // Directory storage has no quota: the size is recorded, and can only grow.
    if (diskGiB < marker.value().resources.diskGiB) {
        return Error::permanent(name + ": the disk cannot shrink (" +
                                std::to_string(marker.value().resources.diskGiB) + " → " +
                                std::to_string(diskGiB) + " GiB)");
    }
    if (diskGiB == marker.value().resources.diskGiB) {
        return {};
    }
    marker.value().resources.diskGiB = diskGiB;
    if (auto w =
            writeFileAtomic(containerDir(vmid) / kMarkerFile, renderMarker(marker.value()), 0644);
        !w) {
        return prefixed(name, w.error());
    }
    return {};
}

Result<void> LxcHost::ensureBridge(const std::string& bridge,
                                   const std::optional<spec::Ipv4Cidr>& ip,
                                   const std::optional<spec::Ipv4Address>& gateway) {
    if (bridge.empty()) {
        return {};
    }
    const std::string where = options_.name + ": bridge " + bridge;
    if (!validBridge(bridge)) {
        return Error::permanent(where + " is not a valid interface name");
    }
    std::lock_guard guard(bridgeMutex_);
    const fs::path sys = fs::path("/sys/class/net") / bridge;
    if (present(sys)) {
        if (!present(sys / "bridge")) {
            return Error::permanent(where + " exists and is not a bridge");
        }
        return {};  // someone's bridge: used as it is, never reconfigured
    }
    // A bridge of our own: the gateway's address on it, up; no NAT, no forwarding rules.
    auto run = [&](std::vector<std::string> argv, bool tolerateExists) -> Result<void> {
        auto r = tool(where, argv, options_.toolDeadline);
        if (!r) {
            return r.error();
        }
        if (r.value().exitCode != 0 &&
            !(tolerateExists && r.value().err.find("File exists") != std::string::npos)) {
            return toolFailed(where, argv.front() + " " + argv[1] + " " + argv[2], r.value());
        }
        return {};
    };
    if (auto r = run({"ip", "link", "add", "name", bridge, "type", "bridge"}, true); !r) {
        return r;
    }
    if (gateway) {
        const int prefix = ip ? ip->prefix : 24;
        if (auto r = run(
                {"ip", "addr", "add", gateway->str() + "/" + std::to_string(prefix), "dev", bridge},
                true);
            !r) {
            return r;
        }
    }
    return run({"ip", "link", "set", "dev", bridge, "up"}, false);
}

Result<void> LxcHost::unfreezeIfFrozen(int vmid, const std::string& st) {
    if (st != "FROZEN" && st != "FREEZING") {
        return {};
    }
    auto r = tool(containerName(vmid), lxcArgs("lxc-unfreeze", vmid), options_.toolDeadline);
    if (!r) {
        return r.error();
    }
    if (r.value().exitCode != 0) {
        return toolFailed(containerName(vmid), "lxc-unfreeze", r.value());
    }
    return {};
}

Result<void> LxcHost::start(int vmid) {
    const std::string name = containerName(vmid);
    auto held = lock(vmid);
    if (!held) {
        return held.error();
    }
    if (auto m = requireMarker(vmid, "start it", nullptr); !m) {
        return m.error();
    }
    auto st = state(vmid);
    if (!st) {
        return st.error();
    }
    if (st.value() != "STOPPED") {
        // Running already (a frozen one is left over from an interrupted snapshot: thaw it).
        return unfreezeIfFrozen(vmid, st.value());
    }
    const auto configText = readFile(containerDir(vmid) / kConfigFile);
    if (!configText) {
        return Error::transient(name + ": cannot read its config");
    }
    const auto settings = readSettings(LxcConfig::parse(*configText));
    if (auto b = ensureBridge(settings.bridge, settings.ip, settings.gateway); !b) {
        return b;
    }
    auto r = tool(name, lxcArgs("lxc-start", vmid), options_.startDeadline);
    if (!r) {
        return r.error();
    }
    if (r.value().exitCode != 0) {
        return Error::transient(name + ": lxc-start failed: " + detailOf(r.value()) + " (see " +
                                (containerDir(vmid) / "lxc.log").string() + ")");
    }
    const auto waitSeconds = std::max<long long>(
        1, std::chrono::ceil<std::chrono::seconds>(options_.startDeadline).count());
    auto argv = lxcArgs("lxc-wait", vmid);
    argv.insert(argv.end(), {"-s", "RUNNING", "-t", std::to_string(waitSeconds)});
    auto w = tool(name, argv, options_.startDeadline + 5s);
    if (!w) {
        return w.error();
    }
    if (w.value().exitCode != 0) {
        return Error::transient(name + ": did not reach RUNNING within " +
                                std::to_string(waitSeconds) + "s");
    }
    return {};
}

Result<void> LxcHost::stopLocked(int vmid, std::chrono::seconds grace, bool kill) {
    const std::string name = containerName(vmid);
    auto st = state(vmid);
    if (!st) {
        return st.error();
    }
    if (st.value() == "STOPPED") {
        return {};
    }
    if (auto u = unfreezeIfFrozen(vmid, st.value()); !u) {
        return u;  // a frozen container can neither shut down nor be killed cleanly
    }
    // A clean shutdown: systemd halts on SIGRTMIN+3. A signal sent while systemd is still
    // booting is lost (it has no handler yet and an init ignores signals without one), so the
    // request is repeated with growing intervals (--nokill) until the grace is used up; then the
    // container is killed.
    if (!kill && grace.count() > 0) {
        const auto until = std::chrono::steady_clock::now() + grace;
        std::chrono::seconds interval = 2s;
        for (;;) {
            const auto left =
                std::chrono::ceil<std::chrono::seconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                break;
            }
            const auto wait = std::min(interval, left);
            interval = std::min<std::chrono::seconds>(interval * 2, 30s);
            auto argv = lxcArgs("lxc-stop", vmid);
            argv.insert(argv.end(), {"--nokill", "-t", std::to_string(wait.count())});
            auto r = tool(name, argv,
                          std::chrono::duration_cast<std::chrono::milliseconds>(wait) + kStopSlack);
            if (!r) {
                return r.error();
            }
            auto now = state(vmid);
            if (!now) {
                return now.error();
            }
            if (now.value() == "STOPPED") {
                return {};
            }
        }
    }
    auto argv = lxcArgs("lxc-stop", vmid);
    argv.push_back("-k");
    auto r = tool(name, argv, kStopSlack);
    if (!r) {
        return r.error();
    }
    auto after = state(vmid);
    if (!after) {
        return after.error();
    }
    if (after.value() != "STOPPED") {
        if (r.value().exitCode != 0) {
            return toolFailed(name, "lxc-stop", r.value());
        }
        return Error::transient(name + ": still " + after.value() + " after lxc-stop -k");
    }
    return {};
}

Result<void> LxcHost::stop(int vmid, std::chrono::seconds grace) {
    auto held = lock(vmid);
    if (!held) {
        return held.error();
    }
    if (auto m = requireMarker(vmid, "stop it", nullptr); !m) {
        return m.error();
    }
    return stopLocked(vmid, grace, false);
}

Result<void> LxcHost::copyTree(int vmid, const fs::path& from, const fs::path& to) const {
    // cp -a keeps owners, modes, xattrs (overlayfs' trusted.overlay.*) and whiteout devices.
    auto r = tool(containerName(vmid), {"cp", "-a", "--", from.string(), to.string()},
                  options_.copyDeadline);
    if (!r) {
        return r.error();
    }
    if (r.value().exitCode != 0) {
        return toolFailed(containerName(vmid), "cp", r.value());
    }
    return {};
}

namespace {

// Snapshot names become directory names: the same rule for taking and rolling back.
Result<void> checkSnapshotName(const std::string& container, const std::string& snapshotName) {
    if (!validSnapshotName(snapshotName)) {
        return Error::permanent(container + ": snapshot name '" + snapshotName +
                                "' must match [A-Za-z][A-Za-z0-9_-]{0,39}");
    }
    return {};
}

}  // namespace

Result<void> LxcHost::snapshot(int vmid, const std::string& snapshotName) {
    const std::string name = containerName(vmid);
    if (auto valid = checkSnapshotName(name, snapshotName); !valid) {
        return valid;
    }
    auto held = lock(vmid);
    if (!held) {
        return held.error();
    }
    if (auto m = requireMarker(vmid, "snapshot it", nullptr); !m) {
        return m.error();
    }
    const fs::path dir = containerDir(vmid);
    const fs::path snaps = dir / kSnapshotsDir;
    const fs::path target = snaps / snapshotName;
    if (present(target)) {
        return {};  // taken already (a retried action)
    }
    if (!present(dir / kUpperDir)) {
        return Error::permanent(name + ": no overlay upper layer in " + dir.string() +
                                "; snapshots need chainvisor's container layout");
    }
    const fs::path tmp = snaps / ("." + snapshotName + ".tmp");
    Result<void> prepared = makeDirectory(snaps, 0700);
    if (prepared) {
        prepared = removeTree(tmp);
    }
    if (prepared) {
        prepared = makeDirectory(tmp, 0700);
    }
    if (!prepared) {
        return prefixed(name, prepared.error());
    }
    auto st = state(vmid);
    if (!st) {
        return st.error();
    }
    // A running container is frozen for the copy, so the upper layer is consistent.
    const bool freeze = st.value() == "RUNNING";
    if (freeze) {
        auto f = tool(name, lxcArgs("lxc-freeze", vmid), options_.toolDeadline);
        if (!f) {
            return f.error();
        }
        if (f.value().exitCode != 0) {
            return toolFailed(name, "lxc-freeze", f.value());
        }
    }
    Result<void> copied = copyTree(vmid, dir / kUpperDir, tmp / kUpperDir);
    if (freeze) {
        if (auto u = unfreezeIfFrozen(vmid, "FROZEN"); !u) {
            return u;
        }
    }
    if (copied) {
        for (const char* file : {kConfigFile, kMarkerFile}) {
            const auto text = readFile(dir / file);
            copied = text ? writeFileAtomic(tmp / file, *text, 0600)
                          : Error::transient("cannot read " + (dir / file).string());
            if (!copied) {
                copied = prefixed(name, copied.error());
                break;
            }
        }
    }
    if (!copied) {
        (void)removeTree(tmp);
        return copied;
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        return Error::transient(name + ": cannot rename " + tmp.string() + ": " +
                                std::strerror(errno));
    }
    return {};
}

Result<void> LxcHost::rollback(int vmid, const std::string& snapshotName) {
    const std::string name = containerName(vmid);
    if (auto valid = checkSnapshotName(name, snapshotName); !valid) {
        return valid;
    }
    auto held = lock(vmid);
    if (!held) {
        return held.error();
    }
    if (auto m = requireMarker(vmid, "roll it back", nullptr); !m) {
        return m.error();
    }
    const fs::path dir = containerDir(vmid);
    const fs::path saved = dir / kSnapshotsDir / snapshotName / kUpperDir;
    if (!present(saved)) {
        return Error::permanent(name + " has no snapshot named " + snapshotName);
    }
    // Rolled back containers stay stopped (as with pct rollback); the engine starts them.
    if (auto s = stopLocked(vmid, options_.rollbackStopGrace, false); !s) {
        return s;
    }
    const fs::path upper = dir / kUpperDir;
    const fs::path staged = dir / "upper.rollback";
    if (auto r = removeTree(staged); !r) {
        return prefixed(name, r.error());
    }
    if (auto c = copyTree(vmid, saved, staged); !c) {
        (void)removeTree(staged);
        return c;
    }
    // One atomic exchange: `upper` is always a complete layer, old or restored.
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, upper.c_str(), RENAME_EXCHANGE) != 0) {
        return Error::transient(name +
                                ": cannot swap in the snapshot's layer: " + std::strerror(errno));
    }
    // `staged` now holds the replaced layer; overlayfs' work dir belonged to it.
    Result<void> cleaned = removeTree(staged);
    if (cleaned) {
        cleaned = removeTree(dir / kWorkDir);
    }
    if (cleaned) {
        cleaned = makeDirectory(dir / kWorkDir, 0755);
    }
    if (!cleaned) {
        return prefixed(name, cleaned.error());
    }
    return {};
}

Result<void> LxcHost::destroy(int vmid) {
    const std::string name = containerName(vmid);
    if (vmid <= 0 || vmid > kMaxVmid) {
        return Error::permanent("vmid " + std::to_string(vmid) + " is out of range");
    }
    auto held = lock(vmid);
    if (!held) {
        return held.error();
    }
    const fs::path dir = containerDir(vmid);
    if (!present(dir)) {
        return {};  // gone already
    }
    const bool incomplete = present(dir / kCreatingFile);  // an interrupted create of ours
    if (!incomplete) {
        if (auto m = requireMarker(vmid, "destroy it", nullptr); !m) {
            return m.error();
        }
        if (auto s = stopLocked(vmid, 0s, true); !s) {
            return s;
        }
    }
    // Out of the lxcpath first (atomic), then removed: a crash halfway leaves only trash. The
    // base is never reached: removeTree stays on the container's filesystem and mount, follows
    // no symlink, and refuses while anything is mounted below.
    const fs::path trash = options_.lxcPath / ".chainvisor" / "trash";
    std::error_code ec;
    fs::create_directories(trash, ec);
    for (const auto& old : fs::directory_iterator(trash, ec)) {
        if (old.path().filename().string().rfind(name + ".", 0) == 0) {
            (void)removeTree(old.path());  // a crashed destroy of this vmid
        }
    }
    const fs::path doomed = trash / (name + "." + randomHex(6));
    if (::rename(dir.c_str(), doomed.c_str()) != 0) {
        return Error::transient(name + ": cannot move " + dir.string() + " to " + trash.string() +
                                ": " + std::strerror(errno));
    }
    if (auto r = removeTree(doomed); !r) {
        return prefixed(name, r.error());
    }
    return {};
}

Result<ExecResult> LxcHost::exec(int vmid, const std::vector<std::string>& argv,
                                 std::chrono::milliseconds deadline) {
    const std::string name = containerName(vmid);
    if (argv.empty() || argv.front().empty()) {
        return Error::permanent(name + ": exec needs a command");
    }
    for (const auto& a : argv) {
        if (a.find('\0') != std::string::npos) {
            return Error::permanent(name + ": exec arguments cannot contain NUL");
        }
    }
    if (auto m = requireMarker(vmid, "run a command in it", nullptr); !m) {
        return m.error();
    }
    auto st = state(vmid);
    if (!st) {
        return st.error();
    }
    if (!isRunning(st.value())) {
        return Error::transient("container " + name + " is not running");
    }
    auto args = lxcArgs("lxc-attach", vmid);
    args.insert(args.end(), {"--clear-env", "--"});
    args.insert(args.end(), argv.begin(), argv.end());
    os::ProcessOptions options;
    options.deadline = deadline;
    options.maxOutput = kMaxCapturedOutput;
    auto r = runner_.run(args, options);
    // Arguments may carry secrets: errors name the program only.
    if (r.startFailed) {
        return Error::permanent(name + ": lxc-attach could not run: " + r.err);
    }
    if (r.timedOut) {
        return Error::transient(name + ": " + argv.front() + " timed out after " +
                                msText(deadline));
    }
    if (r.signal != 0) {
        return Error::transient(name + ": lxc-attach for " + argv.front() +
                                " was killed by signal " + std::to_string(r.signal));
    }
    return ExecResult{r.exitCode, std::move(r.out), std::move(r.err)};
}

Result<void> LxcHost::writeInside(int vmid, const FileWrite& file) const {
    const std::string name = containerName(vmid);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", file.mode);
    // Every value is a positional parameter: nothing is ever parsed by the shell. The content
    // arrives on stdin, lands in a private temporary file and is renamed into place.
    static const std::string script =
        "set -e; umask 022; d=\"${1%/*}\"; [ -n \"$d\" ] || d=/; mkdir -p -- \"$d\"; "
        "umask 077; t=\"$1.cvtmp.$$\"; trap 'rm -f -- \"$t\"' EXIT; cat >\"$t\"; "
        "chown -- \"$3:$4\" \"$t\"; chmod -- \"$2\" \"$t\"; mv -f -- \"$t\" \"$1\"; trap - EXIT";
    auto args = lxcArgs("lxc-attach", vmid);
    args.insert(args.end(), {"--clear-env", "--", "/bin/sh", "-c", script, "sh", file.path, mode,
                             file.owner, file.group});
    auto r = tool(name, args, options_.toolDeadline, file.content);
    if (!r) {
        return r.error();
    }
    if (r.value().exitCode != 0) {
        return Error::permanent(name + ": writing " + file.path +
                                " failed: " + detailOf(r.value()));
    }
    return {};
}

Result<void> LxcHost::writeFile(int vmid, const FileWrite& file) {
    const std::string name = containerName(vmid);
    auto bad = [&](const std::string& why) {
        return Error::permanent(name + ": cannot write '" + file.path + "': " + why);
    };
    if (file.path.size() < 2 || file.path.front() != '/' || file.path.back() == '/') {
        return bad("the path must be absolute and name a file");
    }
    if (file.path.find('\0') != std::string::npos) {
        return bad("the path contains NUL");
    }
    if (file.mode > 07777) {
        return bad("mode must be at most 07777");
    }
    // An empty group is the owner's login group (chown's "user:").
    for (const std::string* id : {&file.owner, &file.group}) {
        if ((id == &file.owner && id->empty()) || (!id->empty() && id->front() == '-') ||
            id->find_first_of(std::string(":\n\0", 3)) != std::string::npos) {
            return bad("owner and group must be user and group names or ids");
        }
    }
    if (auto m = requireMarker(vmid, "write a file in it", nullptr); !m) {
        return m.error();
    }
    auto st = state(vmid);
    if (!st) {
        return st.error();
    }
    if (!isRunning(st.value())) {
        return Error::transient("container " + name + " is not running");
    }
    return writeInside(vmid, file);
}

}  // namespace chainvisor::hosts::lxc
