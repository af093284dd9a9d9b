// hosts: where containers run, and how chainvisor reaches them.
#include <algorithm>
#include <map>

#include "spec/cluster_reader.h"
#include "spec/did_you_mean.h"
#include "spec/formats.h"
#include "spec/values.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {

void ClusterReader::readHosts(const Field& field) {
    auto items = r_.list(field);
    if (!items) {
        return;
    }
    facts_.hostsListed = !items->empty();
    if (items->empty()) {
        r_.error(field, "at least one host is required; e.g. - {name: local, type: local}");
        return;
    }
    cluster_.hosts.resize(items->size());
    facts_.hosts.resize(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
        readHost((*items)[i], cluster_.hosts[i], facts_.hosts[i]);
    }
}

void ClusterReader::readHost(const Field& field, Host& host, ReadFacts::Item& facts) {
    facts.path = field.path;
    facts.where = field.where;
    host.maxConcurrentOperations = cluster_.policy.budgets.perHostConcurrent;
    MappingReader m(r_, field);
    const auto name = m.require("name");
    const auto type = m.require("type");
    const auto pveNodes = m.get("pveNodes");
    const auto api = m.get("api");
    const auto ssh = m.get("ssh");
    const auto maxOps = m.get("maxConcurrentOperations");
    m.finish();
    if (!m.ok()) {
        return;
    }

    if (auto text = readItemName(name, facts)) {
        host.name = *text;
    }
    std::optional<HostType> hostType;
    if (type) {
        if (auto i = r_.choice(*type, {"local", "proxmox"})) {
            hostType = *i == 0 ? HostType::Local : HostType::Proxmox;
            host.type = *hostType;
        }
    }
    if (maxOps) {
        readInt(*maxOps, 1, 64, host.maxConcurrentOperations);
    }

    if (hostType == HostType::Local) {
        // The local machine needs no endpoint; say so rather than silently ignoring settings.
        for (const auto* f : {&pveNodes, &api, &ssh}) {
            if (*f) {
                r_.keyError(**f, "only for type: proxmox; this host is type: local");
            }
        }
        return;
    }
    if (pveNodes) {
        readPveNodes(*pveNodes, host);
    } else if (hostType == HostType::Proxmox) {
        r_.error(m.field(),
                 "missing required key 'pveNodes'; list the Proxmox VE nodes behind "
                 "this endpoint, e.g. [pve1]");
    }
    if (api) {
        host.api = readApi(*api);
    }
    if (ssh) {
        host.ssh = readSsh(*ssh, host);
    }
    if (hostType == HostType::Proxmox && !api && !ssh) {
        r_.error(m.field(),
                 "missing required key 'api' or 'ssh'; a proxmox host is reached "
                 "through the REST API, SSH, or both");
    }
}

void ClusterReader::readPveNodes(const Field& field, Host& host) {
    auto items = r_.list(field);
    if (!items) {
        return;
    }
    if (items->empty()) {
        r_.error(field, "at least one Proxmox VE node is required, e.g. [pve1]");
        return;
    }
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Field& item = (*items)[i];
        auto text = r_.string(item);
        if (!text) {
            continue;
        }
        if (!isPveNodeName(*text)) {
            r_.error(item, yaml::quote(*text) +
                               " is not a Proxmox VE node name; accepted: letters, digits and "
                               "'-', starting with a letter or digit, at most 63 characters");
            continue;
        }
        if (auto [it, inserted] = seen.emplace(*text, i); !inserted) {
            r_.error(item, yaml::quote(*text) + " is already listed as " +
                               itemPath(field.path, it->second));
            continue;
        }
        host.pveNodes.push_back(*text);
    }
}

std::optional<ApiEndpoint> ClusterReader::readApi(const Field& field) {
    MappingReader m(r_, field);
    const auto url = m.require("url");
    const auto tokenId = m.require("tokenId");
    const auto secretEnv = m.get("tokenSecretEnv");
    const auto secretFile = m.get("tokenSecretFile");
    const auto caFile = m.get("caFile");
    const auto fingerprint = m.get("fingerprint");
    m.finish();
    if (!m.ok()) {
        return std::nullopt;
    }
    ApiEndpoint api;
    if (url) {
        if (auto text = r_.string(*url)) {
            const auto checked = checkApiUrl(*text);
            if (checked.ok()) {
                api.url = checked.value;
            } else {
                r_.error(*url, checked.error);
            }
        }
    }
    if (tokenId) {
        if (auto text = r_.string(*tokenId)) {
            if (text->find('=') != std::string::npos) {
                // USER@REALM!TOKENID=SECRET: the whole token was pasted. Never repeat it.
                r_.error(*tokenId,
                         "this looks like a whole API token including its secret after '='; put "
                         "only USER@REALM!TOKENID here and the secret in a file (tokenSecretFile, "
                         "mode 0600) or an environment variable (tokenSecretEnv)");
            } else if (!isTokenId(*text)) {
                r_.error(*tokenId, std::string(kNotShown) +
                                       " is not an API token id; accepted: USER@REALM!TOKENID, "
                                       "e.g. root@pam!chainvisor");
            } else {
                api.tokenId = *text;
            }
        }
    }
    if (secretEnv) {
        if (auto text = r_.string(*secretEnv)) {
            if (isEnvName(*text)) {
                api.tokenSecretEnv = *text;
            } else {
                r_.error(*secretEnv, std::string(kNotShown) +
                                         " is not an environment variable name; accepted: "
                                         "upper-case letters, digits and '_', e.g. PVE_TOKEN");
            }
        }
    }
    if (secretFile) {
        if (auto path = readSecretFile(*secretFile)) {
            api.tokenSecretFile = *path;
        }
    }
    if (secretEnv && secretFile) {
        r_.keyError(*secretFile, "set either tokenSecretEnv or tokenSecretFile, not both");
    } else if (!secretEnv && !secretFile) {
        r_.error(m.field(),
                 "missing required key 'tokenSecretFile' or 'tokenSecretEnv'; the "
                 "token's secret is read from one of them");
    }
    if (caFile) {
        if (auto path = readAbsolutePath(*caFile)) {
            api.tls.caFile = *path;
        }
    }
    if (fingerprint) {
        if (auto text = r_.string(*fingerprint)) {
            const auto checked = checkFingerprint(*text);
            if (checked.ok()) {
                api.tls.fingerprintSha256 = checked.value;
            } else {
                r_.error(*fingerprint, checked.error);
            }
        }
    }
    if (caFile && fingerprint) {
        r_.keyError(*fingerprint, "set either caFile or fingerprint, not both");
    }
    return api;
}

std::optional<std::string> ClusterReader::readSshAddress(const Field& field) {
    auto text = r_.string(field);
    if (!text) {
        return std::nullopt;
    }
    if (text->find(':') != std::string::npos) {
        r_.error(field, "IPv6 is not supported yet; accepted: an IPv4 address or a DNS name");
        return std::nullopt;
    }
    if (!Ipv4Address::parse(*text) && !isDnsName(*text)) {
        r_.error(field, yaml::quote(*text) +
                            " is not an IPv4 address or a DNS name; e.g. 10.0.0.1 or "
                            "pve1.example.com");
        return std::nullopt;
    }
    return text;
}

std::optional<SshEndpoint> ClusterReader::readSsh(const Field& field, const Host& host) {
    MappingReader m(r_, field);
    const auto address = m.get("address");
    const auto nodeAddresses = m.get("nodeAddresses");
    const auto port = m.get("port");
    const auto user = m.get("user");
    const auto keyFile = m.get("keyFile");
    const auto knownHostsFile = m.get("knownHostsFile");
    const auto useAgent = m.get("useAgent");
    const auto trustOnFirstUse = m.get("trustOnFirstUse");
    m.finish();
    if (!m.ok()) {
        return std::nullopt;
    }
    SshEndpoint ssh;
    bool addressesRead = true;
    if (address) {
        if (auto text = readSshAddress(*address)) {
            ssh.address = *text;
        } else {
            addressesRead = false;
        }
    }
    if (nodeAddresses) {
        MappingReader nodes(r_, *nodeAddresses);
        for (auto& [pveNode, value] : nodes.all()) {
            if (std::find(host.pveNodes.begin(), host.pveNodes.end(), pveNode) ==
                host.pveNodes.end()) {
                r_.keyError(value, yaml::quote(pveNode) + " is not one of this host's pveNodes; " +
                                       suggestion(pveNode, host.pveNodes, "pveNodes is empty"));
                addressesRead = false;
            } else if (auto text = readSshAddress(value)) {
                ssh.nodeAddresses[pveNode] = *text;
            } else {
                addressesRead = false;
            }
        }
    }
    // pct acts only on the node it runs on, so every pveNode needs its own address.
    if (addressesRead) {
        std::map<std::string, std::string> nodeAt;
        for (const auto& pveNode : host.pveNodes) {
            const std::string& at = ssh.addressOf(pveNode);
            if (at.empty()) {
                r_.error(m.field(), "missing required key 'address'; pveNode " +
                                        yaml::quote(pveNode) +
                                        " has no entry in nodeAddresses, so it is reached at "
                                        "'address'");
                break;
            }
            if (auto [it, inserted] = nodeAt.emplace(at, pveNode); !inserted) {
                r_.error(nodeAddresses ? *nodeAddresses : *address,
                         "pveNodes " + yaml::quote(it->second) + " and " + yaml::quote(pveNode) +
                             " are both reached at " + yaml::quote(at) +
                             "; pct only sees the containers of the node it runs on, so give "
                             "each node its own address in nodeAddresses");
                break;
            }
        }
    }
    if (port) {
        readInt(*port, 1, 65535, ssh.port);
    }
    if (user) {
        if (auto text = r_.string(*user)) {
            if (isUserName(*text)) {
                ssh.user = *text;
            } else {
                r_.error(*user, yaml::quote(*text) +
                                    " is not a user name; accepted: lower-case letters, digits, "
                                    "'_' and '-', e.g. root");
            }
        }
    }
    if (useAgent) {
        // A wrong value is reported once, without a follow-on "missing keyFile".
        ssh.useAgent = r_.boolean(*useAgent).value_or(true);
    }
    if (trustOnFirstUse) {
        ssh.trustOnFirstUse = r_.boolean(*trustOnFirstUse).value_or(true);
    }
    if (keyFile) {
        if (auto path = readSecretFile(*keyFile)) {
            ssh.keyFile = *path;
        }
    } else if (!ssh.useAgent) {
        r_.error(m.field(), "missing required key 'keyFile'; or set useAgent: true");
    }
    if (knownHostsFile) {
        if (auto path = readAbsolutePath(*knownHostsFile)) {
            ssh.knownHostsFile = *path;
        }
    } else if (!ssh.trustOnFirstUse) {
        r_.error(m.field(), "missing required key 'knownHostsFile'; or set trustOnFirstUse: true");
    }
    return ssh;
}

}  // namespace chainvisor::spec::detail
