// nodes: one blockchain node each, in one container on one host.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "spec/cluster_reader.h"
#include "spec/did_you_mean.h"
#include "spec/formats.h"
#include "spec/values.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {
namespace {

const std::vector<std::string> kAllRoles = {"validator", "sentry", "rpc",
                                            "miner",     "full",   "service"};
const std::vector<std::string> kBesuRoles = {"validator", "sentry", "rpc"};
const std::vector<std::string> kBitcellRoles = {"validator", "miner", "full"};
const std::vector<std::string> kServiceRoles = {"service"};

constexpr Ports kBesuPorts{30303, 8545, 9545};
constexpr int kBitcellP2p = 30333;
constexpr int kBitcellRpc = 30334;
constexpr int kBitcellMetricsOffset = 2;  // bitcell-node serves /metrics on --port + 2

Role roleFromString(const std::string& text) {
    if (text == "validator") {
        return Role::Validator;
    }
    if (text == "sentry") {
        return Role::Sentry;
    }
    if (text == "rpc") {
        return Role::Rpc;
    }
    if (text == "miner") {
        return Role::Miner;
    }
    if (text == "service") {
        return Role::Service;
    }
    return Role::Full;
}

// A Besu option chainvisor sets itself, and what to use instead (empty: nothing, it is managed).
struct ManagedKey {
    std::string_view key;
    std::string_view instead;  // a field under the node, "genesis" for the network's
};

constexpr std::array kBesuManaged = {
    ManagedKey{"data-path", ""},
    ManagedKey{"genesis-file", "genesis"},
    ManagedKey{"node-private-key-file", "keyFile"},
    ManagedKey{"static-nodes-file", ""},
    ManagedKey{"p2p-port", "ports.p2p"},
    ManagedKey{"rpc-http-port", "ports.rpc"},
    ManagedKey{"metrics-port", "ports.metrics"},
    ManagedKey{"rpc-http-enabled", ""},
    ManagedKey{"rpc-http-api", ""},
    ManagedKey{"host-allowlist", ""},
    ManagedKey{"metrics-enabled", ""},
    ManagedKey{"permissions-nodes-config-file", ""},
    ManagedKey{"permissions-nodes-config-file-enabled", ""},
    ManagedKey{"config-file", ""},
};

// bitcell-node flags chainvisor sets itself.
constexpr std::array kBitcellManaged = {
    ManagedKey{"port", "ports.p2p"},
    ManagedKey{"rpc-port", "ports.rpc"},
    ManagedKey{"data-dir", ""},
    ManagedKey{"key-file", "keyFile"},
};

bool isPlainInteger(const yaml::Node& node) {
    const std::string_view t = node.text;
    const std::string_view digits = t.substr(!t.empty() && t[0] == '-' ? 1 : 0);
    return !node.quoted && !digits.empty() && digits.size() <= 18 &&
           (digits.size() == 1 || digits[0] != '0') &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lowerCase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

void ClusterReader::readNodes(const Field& field) {
    auto items = r_.list(field);
    if (!items) {
        return;
    }
    if (items->empty()) {
        r_.warning(field.where, field.path, "no nodes are declared; chainvisor has nothing to run");
        return;
    }
    cluster_.nodes.resize(items->size());
    facts_.nodes.resize(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
        readNode((*items)[i], cluster_.nodes[i], facts_.nodes[i]);
    }
}

void ClusterReader::readNode(const Field& field, Node& node, ReadFacts::NodeFacts& facts) {
    facts.path = field.path;
    facts.where = field.where;
    const Defaults& defaults = cluster_.defaults;
    node.bridge = defaults.bridge;
    node.osTemplate = defaults.osTemplate;
    node.storage = defaults.storage;
    node.resources = defaults.resources;

    MappingReader m(r_, field);
    const auto name = m.require("name");
    const auto network = m.require("network");
    const auto role = m.require("role");
    const auto host = m.require("host");
    const auto pveNode = m.get("pveNode");
    const auto vmid = m.require("vmid");
    const auto hostname = m.get("hostname");
    const auto ip = m.get("ip");
    const auto gateway = m.get("gateway");
    const auto bridge = m.get("bridge");
    const auto osTemplate = m.get("osTemplate");
    const auto storage = m.get("storage");
    const auto resources = m.get("resources");
    const auto ports = m.get("ports");
    const auto config = m.get("config");
    const auto state = m.get("state");
    const auto labels = m.get("labels");
    const auto adopt = m.get("adopt");
    const auto keyFile = m.get("keyFile");
    m.finish();
    if (!m.ok()) {
        return;
    }

    if (auto text = readItemName(name, facts)) {
        node.name = *text;
    }
    if (network) {
        if (auto text = r_.string(*network)) {
            node.network = *text;
            facts.network = resolveNetwork(*network, *text);
        }
    }
    if (role) {
        readRole(*role, node, facts);
    }
    if (host) {
        if (auto text = r_.string(*host)) {
            node.host = *text;
            facts.host = resolveHost(*host, *text);
        }
    }
    readPveNode(m, pveNode, node, facts);
    if (vmid) {
        facts.vmidValid = readInt(*vmid, 100, 999'999'999, node.vmid);
    }

    node.hostname = node.name;
    if (hostname) {
        if (auto text = r_.string(*hostname)) {
            if (isHostnameLabel(*text)) {
                node.hostname = lowerCase(*text);
            } else {
                r_.error(*hostname, yaml::quote(*text) +
                                        " is not a host name; accepted: letters, digits and '-', "
                                        "not at the start or end, at most 63 characters");
            }
        }
    }
    readAddresses(ip, gateway, node);
    if (bridge) {
        node.bridge = readBridge(*bridge).value_or(node.bridge);
    }
    if (osTemplate) {
        if (auto text = r_.string(*osTemplate)) {
            node.osTemplate = *text;
        }
    }
    if (storage) {
        node.storage = readStorage(*storage).value_or(node.storage);
    }
    if (resources) {
        readResources(*resources, node.resources);
    }
    readPorts(ports, node, facts);
    if (config) {
        readConfig(*config, node, facts);
    }
    if (state) {
        const auto i = r_.choice(*state, {"running", "stopped", "absent"});
        facts.stateValid = i.has_value();
        if (i) {
            node.state =
                std::array{DesiredState::Running, DesiredState::Stopped, DesiredState::Absent}[*i];
        }
    }
    if (labels) {
        readLabels(*labels, node);
    }
    if (adopt) {
        node.adopt = r_.boolean(*adopt).value_or(false);
    }
    if (keyFile) {
        if (auto path = readSecretFile(*keyFile)) {
            node.keyFile = *path;
        }
    }
}

void ClusterReader::readRole(const Field& field, Node& node, ReadFacts::NodeFacts& facts) {
    auto text = r_.string(field);
    if (!text) {
        return;
    }
    const Network* network = facts.network ? &cluster_.networks[*facts.network] : nullptr;
    const bool kindKnown = network != nullptr && !network->name.empty();
    const auto& accepted = !kindKnown                              ? kAllRoles
                           : network->kind == NetworkKind::Besu    ? kBesuRoles
                           : network->kind == NetworkKind::Bitcell ? kBitcellRoles
                                                                   : kServiceRoles;
    if (std::find(accepted.begin(), accepted.end(), *text) != accepted.end()) {
        node.role = roleFromString(*text);
        facts.roleValid = true;
        return;
    }
    if (kindKnown && std::find(kAllRoles.begin(), kAllRoles.end(), *text) != kAllRoles.end()) {
        std::string list;
        for (const auto& r : accepted) {
            list += (list.empty() ? "" : ", ") + r;
        }
        r_.error(field, yaml::quote(*text) + " is not a role of a " +
                            std::string(toString(network->kind)) + " network ('" + network->name +
                            "'); accepted: " + list);
        return;
    }
    r_.error(field, "unknown value " + yaml::quote(*text) + "; " + suggestion(*text, accepted));
}

void ClusterReader::readPveNode(MappingReader& mapping, const std::optional<Field>& field,
                                Node& node, const ReadFacts::NodeFacts& facts) {
    std::optional<std::string> given;
    if (field) {
        given = r_.string(*field);
        if (!given) {
            return;
        }
    }
    if (!facts.host) {
        if (given) {
            node.pveNode = *given;
        }
        return;
    }
    const Host& host = cluster_.hosts[*facts.host];
    if (host.type == HostType::Local) {
        if (field) {
            r_.keyError(*field,
                        "only for hosts of type: proxmox; host '" + host.name + "' is type: local");
        }
        return;
    }
    if (given) {
        if (std::find(host.pveNodes.begin(), host.pveNodes.end(), *given) != host.pveNodes.end()) {
            node.pveNode = *given;
        } else if (!host.pveNodes.empty()) {
            r_.error(*field, yaml::quote(*given) + " is not a Proxmox VE node of host '" +
                                 host.name + "'; " + suggestion(*given, host.pveNodes));
        }
        return;
    }
    if (host.pveNodes.size() == 1) {
        node.pveNode = host.pveNodes.front();
    } else if (host.pveNodes.size() > 1) {
        std::string list;
        for (const auto& n : host.pveNodes) {
            list += (list.empty() ? "" : ", ") + n;
        }
        r_.error(mapping.field(), "missing required key 'pveNode'; host '" + host.name +
                                      "' has several Proxmox VE nodes: " + list);
    }
}

void ClusterReader::readAddresses(const std::optional<Field>& ipField,
                                  const std::optional<Field>& gatewayField, Node& node) {
    bool ipValid = false;
    if (ipField) {
        if (auto text = r_.string(*ipField)) {
            const auto cidr = Ipv4Cidr::parse(*text);
            if (text->find(':') != std::string::npos) {
                r_.error(*ipField,
                         "IPv6 is not supported yet; accepted: an IPv4 address with "
                         "its prefix length, e.g. 10.10.0.11/24");
            } else if (!cidr && Ipv4Address::parse(*text)) {
                r_.error(*ipField, yaml::quote(*text) + " has no prefix length; accepted: e.g. " +
                                       *text + "/24");
            } else if (!cidr || cidr->prefix < 1) {
                r_.error(*ipField, yaml::quote(*text) +
                                       " is not an IPv4 address with a prefix length; accepted: "
                                       "e.g. 10.10.0.11/24");
            } else {
                const std::uint32_t hostBits =
                    cidr->prefix == 32 ? 0u : (0xffffffffu >> cidr->prefix);
                const std::uint32_t bits = cidr->address.value & hostBits;
                if (cidr->prefix <= 30 && bits == 0) {
                    r_.error(*ipField, *text +
                                           " is the network address of its subnet; use a "
                                           "host address, e.g. the .11 of a /24");
                } else if (cidr->prefix <= 30 && bits == hostBits) {
                    r_.error(*ipField, *text +
                                           " is the broadcast address of its subnet; use a "
                                           "host address");
                } else {
                    node.ip = cidr;
                    ipValid = true;
                }
            }
        }
    }
    if (!gatewayField) {
        return;
    }
    auto text = r_.string(*gatewayField);
    if (!text) {
        return;
    }
    const auto address = Ipv4Address::parse(*text);
    if (text->find(':') != std::string::npos) {
        r_.error(*gatewayField,
                 "IPv6 is not supported yet; accepted: an IPv4 address, e.g. "
                 "10.10.0.1");
    } else if (!address) {
        r_.error(*gatewayField, yaml::quote(*text) +
                                    " is not an IPv4 address; accepted: e.g. 10.10.0.1 (no "
                                    "prefix length)");
    } else if (!ipField) {
        r_.keyError(*gatewayField,
                    "a gateway needs an ip; set ip too (e.g. ip: 10.10.0.11/24) "
                    "or remove the gateway");
    } else if (ipValid && !node.ip->contains(*address)) {
        const Ipv4Cidr subnet{
            Ipv4Address{node.ip->address.value &
                        (node.ip->prefix == 0 ? 0u : ~(0xffffffffu >> node.ip->prefix))},
            node.ip->prefix};
        r_.error(*gatewayField, *text + " is outside the subnet of ip " + node.ip->str() + " (" +
                                    subnet.str() + "); accepted: an address in " + subnet.str());
    } else if (ipValid && *address == node.ip->address) {
        r_.error(*gatewayField,
                 *text + " is the node's own address; accepted: the router of " + node.ip->str());
    } else if (ipValid) {
        node.gateway = address;
    }
}

void ClusterReader::readPorts(const std::optional<Field>& field, Node& node,
                              const ReadFacts::NodeFacts& facts) {
    const Network* network = facts.network ? &cluster_.networks[*facts.network] : nullptr;
    const bool bitcell = network != nullptr && network->kind == NetworkKind::Bitcell;
    if (network != nullptr && network->kind == NetworkKind::Service) {
        node.ports = Ports{};  // a service's port is its probe's, set on the network
        if (field) {
            r_.keyError(*field,
                        "not used by a service node; its port is the network's "
                        "service.probe.port");
        }
        return;
    }
    node.ports =
        bitcell ? Ports{kBitcellP2p, kBitcellRpc, kBitcellP2p + kBitcellMetricsOffset} : kBesuPorts;
    if (!field) {
        return;
    }
    MappingReader m(r_, *field);
    const auto p2p = m.get("p2p");
    const auto rpc = m.get("rpc");
    const auto metrics = m.get("metrics");
    m.finish();
    bool valid = m.ok();
    if (p2p) {
        valid = readInt(*p2p, 1, 65535, node.ports.p2p) && valid;
    }
    if (rpc) {
        valid = readInt(*rpc, 1, 65535, node.ports.rpc) && valid;
    }
    if (metrics) {
        if (bitcell) {
            r_.keyError(*metrics,
                        "not settable for a bitcell node: bitcell-node serves metrics "
                        "on ports.p2p + 2; remove ports.metrics");
            valid = false;
        } else {
            valid = readInt(*metrics, 1, 65535, node.ports.metrics) && valid;
        }
    }
    if (!valid) {
        return;
    }
    if (bitcell) {
        node.ports.metrics = node.ports.p2p + kBitcellMetricsOffset;
        if (node.ports.metrics > 65535) {
            r_.error(*p2p, std::to_string(node.ports.p2p) +
                               " leaves no room for the metrics port at ports.p2p + 2; accepted: "
                               "1 to 65533");
            return;
        }
    }
    // The three ports must differ. Blame the later of two written ports (p2p, rpc, metrics in
    // that order); a default alone is never blamed, and two defaults never clash.
    const Ports& p = node.ports;
    const std::string mustDiffer = "; the p2p, rpc and metrics ports must all differ";
    const auto clash = [&](const std::optional<Field>& later, const std::string& laterName,
                           const std::optional<Field>& earlier, const std::string& earlierName,
                           int value) {
        if (later) {
            r_.error(*later, std::to_string(value) + " is also " + earlierName + mustDiffer);
        } else if (earlier) {
            r_.error(*earlier, std::to_string(value) + " is also " + laterName + mustDiffer);
        }
    };
    if (p.p2p == p.rpc) {
        clash(rpc, "ports.rpc", p2p, "ports.p2p", p.p2p);
    }
    if (bitcell) {
        if (p.rpc == p.metrics) {
            if (rpc) {
                r_.error(*rpc, std::to_string(p.rpc) + " is also the metrics port (ports.p2p + 2)" +
                                   mustDiffer);
            } else if (p2p) {
                r_.error(*p2p, std::to_string(p.p2p) +
                                   " puts the metrics port (ports.p2p + 2) on " +
                                   std::to_string(p.metrics) + ", which is ports.rpc" + mustDiffer);
            }
        }
        return;
    }
    if (p.p2p == p.metrics) {
        clash(metrics, "ports.metrics", p2p, "ports.p2p", p.p2p);
    }
    if (p.rpc == p.metrics) {
        clash(metrics, "ports.metrics", rpc, "ports.rpc", p.rpc);
    }
}

void ClusterReader::readConfig(const Field& field, Node& node, const ReadFacts::NodeFacts& facts) {
    const Network* network = facts.network ? &cluster_.networks[*facts.network] : nullptr;
    if (network != nullptr && network->kind == NetworkKind::Service) {
        r_.keyError(field,
                    "not used by a service node; its files and command are the network's "
                    "service block");
        return;
    }
    MappingReader m(r_, field);
    for (auto& [key, value] : m.all()) {
        if (!isConfigKey(key)) {
            r_.keyError(value, yaml::quote(key) +
                                   " is not an option name; accepted: lower-case letters, "
                                   "digits and '-', as the option is spelt without '--'");
            continue;
        }
        if (network != nullptr) {
            const auto managed =
                network->kind == NetworkKind::Besu
                    ? std::vector<ManagedKey>(kBesuManaged.begin(), kBesuManaged.end())
                    : std::vector<ManagedKey>(kBitcellManaged.begin(), kBitcellManaged.end());
            auto it = std::find_if(managed.begin(), managed.end(),
                                   [&](const ManagedKey& k) { return k.key == key; });
            if (it != managed.end()) {
                std::string instead;
                if (it->instead.empty()) {
                    instead = "remove it";
                } else if (it->instead == "genesis") {
                    instead =
                        "use networks[" + std::to_string(*facts.network) + "].genesis instead";
                } else {
                    instead = "use " + facts.path + "." + std::string(it->instead) + " instead";
                }
                r_.keyError(value, key + " is set by chainvisor; " + instead);
                continue;
            }
        }
        if (!r_.visit(value)) {
            return;
        }
        const auto& v = value.value();
        switch (v.kind) {
            case yaml::Kind::Null:
                r_.error(value,
                         "expected a value, got nothing; accepted: a string, number, "
                         "true/false or a list of them");
                break;
            case yaml::Kind::Mapping:
                r_.error(value,
                         "expected a string, number, true/false or a list of them, got a "
                         "mapping");
                break;
            case yaml::Kind::Scalar:
                if (!v.quoted && (v.text == "true" || v.text == "false")) {
                    node.config[key] = v.text == "true";
                } else if (isPlainInteger(v)) {
                    node.config[key] = static_cast<std::int64_t>(std::stoll(v.text));
                } else {
                    node.config[key] = v.text;
                }
                break;
            case yaml::Kind::Sequence: {
                std::vector<std::string> list;
                bool ok = true;
                for (std::size_t i = 0; i < v.items.size(); ++i) {
                    const Field item =
                        r_.makeField(v.items[i], itemPath(value.path, i), v.items[i].where);
                    r_.record(item);
                    if (item.kind() != yaml::Kind::Scalar) {
                        if (r_.visit(item)) {
                            r_.error(item, "expected a string, number or true/false, got " +
                                               yaml::describe(item.value()));
                        }
                        ok = false;
                    } else if (auto text = r_.string(item)) {
                        list.push_back(*text);
                    } else {
                        ok = false;
                    }
                }
                if (ok) {
                    node.config[key] = std::move(list);
                }
                break;
            }
        }
    }
}

void ClusterReader::readLabels(const Field& field, Node& node) {
    MappingReader m(r_, field);
    for (auto& [key, value] : m.all()) {
        if (!isLabelKey(key)) {
            r_.keyError(value, yaml::quote(key) +
                                   " is not a label key; accepted: lower-case letters, digits and "
                                   "'.', '_', '/', '-', starting with a letter or digit, at most "
                                   "63 characters");
            continue;
        }
        if (auto text = r_.string(value)) {
            node.labels[key] = *text;
        }
    }
}

namespace {

// The index of the item named `name` among those whose name is valid; `reported` when the name
// matches one that was written but is invalid (already reported), or when the list itself could
// not be read: a second error about the same mistake helps nobody.
template <typename T, typename Facts>
std::optional<std::size_t> findNamed(const std::vector<T>& items, const std::vector<Facts>& facts,
                                     const std::string& name, std::vector<std::string>& valid,
                                     bool& reported) {
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (facts[i].nameValid) {
            if (items[i].name == name) {
                return i;
            }
            valid.push_back(items[i].name);
        } else if (facts[i].rawName == name) {
            reported = true;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::size_t> ClusterReader::resolveHost(const Field& field, const std::string& name) {
    std::vector<std::string> names;
    bool reported = !facts_.hostsListed;
    if (auto i = findNamed(cluster_.hosts, facts_.hosts, name, names, reported)) {
        return i;
    }
    if (!reported) {
        r_.error(field, "unknown host " + yaml::quote(name) + "; " +
                            suggestion(name, names, "no host is declared validly"));
    }
    return std::nullopt;
}

std::optional<std::size_t> ClusterReader::resolveNetwork(const Field& field,
                                                         const std::string& name) {
    std::vector<std::string> names;
    bool reported = !facts_.networksListed;
    if (auto i = findNamed(cluster_.networks, facts_.networks, name, names, reported)) {
        return i;
    }
    if (!reported) {
        r_.error(field, "unknown network " + yaml::quote(name) + "; " +
                            suggestion(name, names, "no network is declared validly"));
    }
    return std::nullopt;
}

}  // namespace chainvisor::spec::detail
