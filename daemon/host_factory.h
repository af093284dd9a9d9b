// Makes the host provider for each host of the spec, and keeps them for the daemon's lifetime
// (a reload may add hosts; providers are never destroyed while a chain could still use one).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "engine/observer.h"
#include "hosts/host.h"
#include "os/process.h"
#include "spec/cluster.h"

namespace chainvisor::daemon {

struct HostPaths {
    std::filesystem::path lxcPath;   // containers of local hosts
    std::filesystem::path lxcCache;  // the shared base root filesystem
};

class HostFactory {
public:
    HostFactory(HostPaths paths, os::ProcessRunner& runner)
        : paths_(std::move(paths)), runner_(runner) {}

    // Providers for every host of `spec`, made on first use. An empty string, or what is wrong
    // (a host type this build cannot drive yet).
    std::string ensure(const spec::Cluster& spec);
    engine::HostMap map(const spec::Cluster& spec) const;

private:
    HostPaths paths_;
    os::ProcessRunner& runner_;
    std::map<std::string, std::unique_ptr<hosts::Host>, std::less<>> hosts_;
};

}  // namespace chainvisor::daemon
