// Makes the host provider for each host of the spec, and keeps them for the daemon's lifetime
// (a reload may add hosts; providers are never destroyed while a chain could still use one).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/observer.h"
#include "hosts/container_entry.h"
#include "hosts/host.h"
#include "hosts/proxmox/timing.h"
#include "net/http_client.h"
#include "net/remote_shell.h"
#include "observe/metrics.h"
#include "os/process.h"
#include "spec/cluster.h"

namespace chainvisor::daemon {

struct HostPaths {
    std::filesystem::path lxcPath;   // containers of local hosts
    std::filesystem::path lxcCache;  // the shared base root filesystem
    std::filesystem::path stateDir;  // ssh_known_hosts for trustOnFirstUse without a file
};

class HostFactory {
public:
    // `metrics` (optional) times and counts every request the providers make.
    HostFactory(HostPaths paths, os::ProcessRunner& runner, observe::Metrics* metrics = nullptr);
    ~HostFactory();

    // Providers for every host of `spec`, made on first use. An empty string, or what is wrong
    // (an unreadable token secret, an unusable TLS setting, a kind of host not built yet). The
    // message never contains a secret.
    std::string ensure(const spec::Cluster& spec);
    engine::HostMap map(const spec::Cluster& spec) const;
    // The provider made for the spec host `name`; nullptr when there is none.
    const hosts::Host* find(std::string_view name) const;

private:
    std::string makeProxmox(const spec::Cluster& spec, const spec::Host& host);
    // One SSH client per pveNode of `host` (which has ssh), in pveNodes order.
    std::string makeShells(const spec::Host& host, std::vector<net::RemoteShell*>& shells);

    HostPaths paths_;
    os::ProcessRunner& runner_;
    observe::Metrics* metrics_;
    hosts::proxmox::SystemTiming timing_;
    std::vector<std::unique_ptr<net::HttpClient>> clients_;  // outlive the hosts using them
    std::vector<std::unique_ptr<net::RemoteShell>> shells_;  // likewise
    std::vector<std::unique_ptr<hosts::ContainerEntry>> entries_;
    std::map<std::string, std::unique_ptr<hosts::Host>, std::less<>> hosts_;
};

// The API token secret of a Proxmox host: from the environment variable tokenSecretEnv or the
// file tokenSecretFile, without a trailing newline. nullopt with `error` set when unavailable.
std::optional<std::string> readTokenSecret(const spec::ApiEndpoint& api, std::string& error);

}  // namespace chainvisor::daemon
