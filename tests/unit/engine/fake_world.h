// An in-memory world for engine tests: hosts with containers (marker, power, resources,
// snapshots) and the nodes inside them (service, version, config), behind the real Host and
// NodeAgent interfaces. Failures are scripted per host, operation and vmid; every call is counted.
// Thread-safe, so the async loop's tests can use it from a pool.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/node_agent.h"
#include "hosts/host.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::engine::testing {

// The node inside a container. A stopped container's service is Inactive.
struct FakeInside {
    plan::ServiceState service = plan::ServiceState::Inactive;
    std::optional<plan::Health> health;  // nullopt: Ready while active, NotReady otherwise
    std::optional<spec::Version> version;
    std::string configFingerprint;
};

struct FakeContainer {
    int vmid = 0;
    std::string pveNode;
    plan::PowerState power = plan::PowerState::Stopped;
    std::string lock;
    std::optional<plan::OwnerMarker> owner;
    std::string hostname;
    spec::Resources resources;
    std::optional<spec::Ipv4Cidr> ip;
    std::optional<spec::Ipv4Address> gateway;
    std::string bridge;
    std::vector<std::string> snapshots;
    FakeInside inside;
};

// One recorded call.
struct FakeCall {
    std::string host;
    std::string op;  // "observe", "create", …, "inspect", "perform:restart-service"
    int vmid = 0;
    std::chrono::seconds grace{0};  // stop
    int openIntents = -1;           // files in the watched journal directory at the call; -1: none
};

class FakeWorld {
public:
    // --- the world -------------------------------------------------------------------------
    void addHost(const std::string& host);
    // Puts a container there directly (an operator's, another cluster's, or a leftover).
    void putContainer(const std::string& host, FakeContainer container);
    std::optional<FakeContainer> container(const std::string& host, int vmid) const;
    std::size_t containerCount(const std::string& host) const;
    void setBlind(const std::string& host, bool blind);
    void setHealth(const std::string& host, int vmid, std::optional<plan::Health> health);
    void setService(const std::string& host, int vmid, plan::ServiceState service);
    // As lxc-stop from outside: the container stops, and its service with it.
    void stopFromOutside(const std::string& host, int vmid);
    void setLock(const std::string& host, int vmid, std::string lock);

    // --- scripted failures -------------------------------------------------------------------
    // The next `count` calls of `op` on `host` (for `vmid`; 0: any) fail. count < 0: every call.
    void fail(const std::string& host, const std::string& op, int vmid, int count,
              hosts::ErrorKind kind, std::string message);
    // The next `count` calls of `op` do their work and then report a transient error (a create
    // that succeeded but was reported failed).
    void failAfterDoing(const std::string& host, const std::string& op, int vmid, int count);
    void clearFailures();

    // --- what happened -------------------------------------------------------------------------
    int calls(const std::string& host, const std::string& op, int vmid = 0) const;
    std::vector<FakeCall> callLog() const;
    int containersCreated() const;  // real creations, not idempotent repeats

    // Counts, at every call, the journal records open in `dir` (intents/*.json).
    void watchJournal(std::string dir);

    // Validators whose downtime is recorded: a validator is down when its container is missing or
    // not running, or its service is not active. Recording starts with this call.
    void watchValidators(const spec::Cluster& spec);
    int maxValidatorsDown(const std::string& network) const;
    int validatorsDown(const std::string& network) const;

    // --- used by FakeHost and FakeNodeAgent -------------------------------------------------
    struct Scripted {
        bool fail = false;
        bool afterDoing = false;
        hosts::Error error;
    };
    // Records the call and says whether it fails. Caller holds the lock.
    Scripted enter(const std::string& host, const std::string& op, int vmid,
                   std::chrono::seconds grace = std::chrono::seconds(0));
    void recordDowns();  // caller holds the lock

    mutable std::mutex mutex;
    std::map<std::string, std::map<int, FakeContainer>> hosts;
    std::set<std::string> blind;
    int created = 0;

private:
    struct Failure {
        std::string host;
        std::string op;
        int vmid = 0;
        int remaining = 0;  // < 0: forever
        bool afterDoing = false;
        hosts::Error error;
    };
    std::vector<Failure> failures_;
    std::vector<FakeCall> log_;
    std::string journalDir_;
    struct Watched {
        std::string host;
        int vmid = 0;
    };
    std::map<std::string, std::vector<Watched>> validators_;  // by network
    std::map<std::string, int> maxDown_;
};

class FakeHost final : public hosts::Host {
public:
    FakeHost(FakeWorld& world, std::string name);

    const std::string& name() const override { return name_; }
    bool entersContainers() const override { return entersContainers_; }
    // As a provider without exec (Proxmox over REST alone): containers only.
    void setEntersContainers(bool enters) { entersContainers_ = enters; }
    hosts::Result<plan::ObservedHost> observe() override;
    hosts::Result<void> create(const hosts::ContainerSpec& spec) override;
    hosts::Result<void> update(const hosts::ContainerSpec& spec,
                               const std::vector<plan::FieldChange>& changes) override;
    hosts::Result<void> resizeDisk(int vmid, int diskGiB) override;
    hosts::Result<void> start(int vmid) override;
    hosts::Result<void> stop(int vmid, std::chrono::seconds grace) override;
    hosts::Result<void> snapshot(int vmid, const std::string& name) override;
    hosts::Result<void> rollback(int vmid, const std::string& name) override;
    hosts::Result<void> destroy(int vmid) override;
    hosts::Result<hosts::ExecResult> exec(int vmid, const std::vector<std::string>& argv,
                                          std::chrono::milliseconds deadline) override;
    hosts::Result<void> writeFile(int vmid, const hosts::FileWrite& file) override;

private:
    FakeWorld& world_;
    std::string name_;
    bool entersContainers_ = true;
};

class FakeNodeAgent final : public NodeAgent {
public:
    explicit FakeNodeAgent(FakeWorld& world) : world_(world) {}

    hosts::Result<plan::ObservedNode> inspect(hosts::Host& host, const spec::Cluster& spec,
                                              const spec::Node& node) override;
    hosts::Result<void> perform(hosts::Host& host, const spec::Cluster& spec,
                                const spec::Node& node, const plan::Action& action) override;

private:
    FakeWorld& world_;
};

}  // namespace chainvisor::engine::testing
