#include "host_factory.h"

#include "hosts/lxc/lxc_host.h"

namespace chainvisor::daemon {

std::string HostFactory::ensure(const spec::Cluster& spec) {
    for (const auto& host : spec.hosts) {
        if (hosts_.contains(host.name)) {
            continue;
        }
        switch (host.type) {
            case spec::HostType::Local: {
                hosts::lxc::LxcHostOptions options;
                options.name = host.name;
                options.lxcPath = paths_.lxcPath;
                options.cacheDir = paths_.lxcCache;
                hosts_.emplace(host.name, std::make_unique<hosts::lxc::LxcHost>(options, runner_));
                break;
            }
            case spec::HostType::Proxmox:
                return "host '" + host.name +
                       "': type proxmox is not supported by this build yet; use type local";
        }
    }
    return {};
}

engine::HostMap HostFactory::map(const spec::Cluster& spec) const {
    engine::HostMap out;
    for (const auto& host : spec.hosts) {
        if (auto it = hosts_.find(host.name); it != hosts_.end()) {
            out.emplace(host.name, it->second.get());
        }
    }
    return out;
}

}  // namespace chainvisor::daemon
