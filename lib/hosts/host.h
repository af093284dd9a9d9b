// What a host can do: the one interface the engine knows. Implementations: lxc/ (this machine),
// proxmox/ (REST API), ssh/ (pct over SSH). Calls block; the engine runs them on its blocking
// pool, never on the io thread, several at once for different containers of the same host, so an
// implementation must be safe to call concurrently for different vmids.
//
// Every mutating call is idempotent: creating a container that already exists with our marker,
// starting a running one or stopping a stopped one succeeds, so a retried action never does the
// work twice.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "hosts/result.h"
#include "plan/action.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::hosts {

// Everything needed to make (or re-make) one container.
struct ContainerSpec {
    int vmid = 0;
    std::string pveNode;
    std::string hostname;
    spec::Resources resources;
    std::optional<spec::Ipv4Cidr> ip;
    std::optional<spec::Ipv4Address> gateway;
    std::string bridge;
    std::string osTemplate;
    std::string storage;
    plan::OwnerMarker owner;
};

ContainerSpec containerSpecFor(const spec::Cluster& cluster, const spec::Node& node);

struct ExecResult {
    int exitCode = 0;
    std::string out;  // capped; see kMaxCapturedOutput
    std::string err;
};

inline constexpr std::size_t kMaxCapturedOutput = 1024 * 1024;

// A file to put inside a container. Content never appears in a log or an error (keys go this way).
struct FileWrite {
    std::string path;  // absolute, inside the container
    std::string content;
    unsigned mode = 0644;
    std::string owner = "root";
    std::string group = "root";  // empty: the owner's login group
};

class Host {
public:
    virtual ~Host() = default;

    virtual const std::string& name() const = 0;

    // Whether exec/writeFile work, i.e. nodes inside containers can be looked at and managed.
    // A provider that cannot (the Proxmox REST API without SSH) manages containers only.
    virtual bool entersContainers() const { return true; }

    // Calls fail fast because the endpoint was unreachable (a circuit breaker is open).
    virtual bool circuitOpen() const { return false; }

    // One observation of every container on the host (ours and others', with markers), or an
    // error when the host cannot be observed (the engine then acts on nothing there).
    virtual Result<plan::ObservedHost> observe() = 0;

    virtual Result<void> create(const ContainerSpec& spec) = 0;
    // Applies changed fields; `live` ones to a running container without a restart.
    virtual Result<void> update(const ContainerSpec& spec,
                                const std::vector<plan::FieldChange>& changes) = 0;
    virtual Result<void> resizeDisk(int vmid, int diskGiB) = 0;
    virtual Result<void> start(int vmid) = 0;
    // Graceful shutdown, forced after `grace`.
    virtual Result<void> stop(int vmid, std::chrono::seconds grace) = 0;
    virtual Result<void> snapshot(int vmid, const std::string& name) = 0;
    virtual Result<void> rollback(int vmid, const std::string& name) = 0;
    virtual Result<void> destroy(int vmid) = 0;

    // Runs argv inside the running container (no shell), cut off after `deadline`.
    virtual Result<ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                                    std::chrono::milliseconds deadline) = 0;
    virtual Result<void> writeFile(int vmid, const FileWrite& file) = 0;
};

}  // namespace chainvisor::hosts
