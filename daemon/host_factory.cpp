#include "host_factory.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hosts/lxc/lxc_host.h"
#include "hosts/pct/multi_node_pct_host.h"
#include "hosts/pct/pct_entry.h"
#include "hosts/pct/pct_host.h"
#include "hosts/proxmox/proxmox_host.h"
#include "metered_transport.h"
#include "net/https_client.h"
#include "net/https_url.h"
#include "net/ssh_client.h"

namespace chainvisor::daemon {

HostFactory::HostFactory(HostPaths paths, os::ProcessRunner& runner, observe::Metrics* metrics)
    : paths_(std::move(paths)), runner_(runner), metrics_(metrics) {}

// Hosts first: they hold references to the clients and entries.
HostFactory::~HostFactory() {
    hosts_.clear();
    entries_.clear();
}

std::optional<std::string> readTokenSecret(const spec::ApiEndpoint& api, std::string& error) {
    std::string secret;
    if (!api.tokenSecretEnv.empty()) {
        const char* value = std::getenv(api.tokenSecretEnv.c_str());
        if (value == nullptr || *value == '\0') {
            error = "the environment variable " + api.tokenSecretEnv +
                    " (tokenSecretEnv) is not set; it must hold the API token secret";
            return std::nullopt;
        }
        secret = value;
    } else {
        std::ifstream in(api.tokenSecretFile);
        if (!in) {
            error = "cannot read the token secret file " + api.tokenSecretFile;
            return std::nullopt;
        }
        std::stringstream text;
        text << in.rdbuf();
        secret = text.str();
    }
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
    }
    if (secret.empty()) {
        error = "the API token secret is empty";
        return std::nullopt;
    }
    return secret;
}

std::string HostFactory::makeShells(const spec::Host& host,
                                    std::vector<net::RemoteShell*>& shells) {
    const auto& ssh = *host.ssh;
    for (const auto& pveNode : host.pveNodes) {
        net::SshOptions options;
        options.host = ssh.addressOf(pveNode);
        options.port = ssh.port;
        options.user = ssh.user;
        options.keyFile = ssh.keyFile;
        options.useAgent = ssh.useAgent;
        options.trustOnFirstUse = ssh.trustOnFirstUse;
        options.knownHostsFile = !ssh.knownHostsFile.empty()
                                     ? ssh.knownHostsFile
                                     : (paths_.stateDir / "ssh_known_hosts").string();
        // The host's operations, plus one for the observation that runs beside them.
        options.maxSessions = host.maxConcurrentOperations + 1;
        try {
            shells_.push_back(std::make_unique<net::SshClient>(options));
        } catch (const std::invalid_argument& e) {
            return "ssh to " + pveNode + ": " + e.what();
        }
        if (metrics_ != nullptr) {
            shells_.push_back(
                std::make_unique<MeteredShell>(*shells_.back(), *metrics_, host.name));
        }
        shells.push_back(shells_.back().get());
    }
    return {};
}

std::string HostFactory::makeProxmox(const spec::Cluster& spec, const spec::Host& host) {
    const std::string where = "host '" + host.name + "': ";
    std::vector<net::RemoteShell*> shells;
    if (host.ssh) {
        if (auto error = makeShells(host, shells); !error.empty()) {
            return where + error;
        }
    }
    if (!host.api) {
        // No API token: the whole host is driven with pct, one PctHost per pveNode.
        std::vector<std::unique_ptr<hosts::pct::PctHost>> nodes;
        for (std::size_t i = 0; i < host.pveNodes.size(); ++i) {
            nodes.push_back(std::make_unique<hosts::pct::PctHost>(
                hosts::pct::pctHostOptions(host, host.pveNodes[i], spec.name), *shells[i]));
        }
        hosts_.emplace(host.name,
                       std::make_unique<hosts::pct::MultiNodePctHost>(host.name, std::move(nodes)));
        return {};
    }
    std::string error;
    auto secret = readTokenSecret(*host.api, error);
    if (!secret) {
        return where + error;
    }
    const auto url = net::parseHttpsUrl(host.api->url);
    if (!url.ok()) {
        return where + "api.url: " + url.error;
    }
    std::map<std::string, hosts::ContainerEntry*> entries;
    for (std::size_t i = 0; i < shells.size(); ++i) {
        entries_.push_back(std::make_unique<hosts::pct::PctEntry>(*shells[i]));
        entries.emplace(host.pveNodes[i], entries_.back().get());
    }
    try {
        auto client = std::make_unique<net::HttpsClient>(
            url.endpoint, net::TlsTrust{host.api->tls.caFile, host.api->tls.fingerprintSha256});
        auto options = hosts::proxmox::proxmoxHostOptions(host, spec.name, std::move(*secret));
        clients_.push_back(std::move(client));
        if (metrics_ != nullptr) {
            clients_.push_back(
                std::make_unique<MeteredHttpClient>(*clients_.back(), *metrics_, host.name));
        }
        hosts_.emplace(host.name, std::make_unique<hosts::proxmox::ProxmoxHost>(
                                      options, *clients_.back(), timing_, std::move(entries)));
    } catch (const std::invalid_argument& e) {
        return where + e.what();
    }
    return {};
}

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
                if (auto error = makeProxmox(spec, host); !error.empty()) {
                    return error;
                }
                break;
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

const hosts::Host* HostFactory::find(std::string_view name) const {
    auto it = hosts_.find(name);
    return it == hosts_.end() ? nullptr : it->second.get();
}

}  // namespace chainvisor::daemon
