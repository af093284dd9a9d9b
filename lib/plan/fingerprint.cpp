// desiredConfigFingerprint: a stable digest of everything that goes into a node's config files.
//
// It is FNV-1a (64 bit) over a canonical, length-prefixed serialisation of, in this order:
//  1. the network: name, kind, consensus, chain id, genesis parameters, and for the `service`
//     kind its service block (unit, user, command, environment, files: what the files and unit
//     are rendered from; the probe is not, so it is left out);
//  2. its members: every node of the network that the spec keeps (state not absent), sorted by
//     name, with name, address, p2p port and role (the peers: static nodes, allowlists, and for
//     validators the genesis validator set);
//  3. the node itself: name, role, address, ports, key file, pass-through config in key order.
// Parts 1 and 2 are the same for every node of a network, so their hash state is computed once per
// network and plan. Left out is what does not reach the config files: the software version
// (InstallSoftware handles that), container resources and placement. A node joining or leaving
// changes every member's fingerprint, which is right: Besu reads static-nodes.json only at start.
//
// FNV-1a is not a cryptographic hash; it only has to notice change. The node-kind work will
// replace this with a digest of the rendered files themselves, so that a template change is
// noticed too; until then this is the contract ObservedNode::configFingerprint is compared with.
#include "plan/fingerprint.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "plan/planner.h"

namespace chainvisor::plan {
namespace {

// Hashes `key=LEN:VALUE\n` records as it goes, so that no choice of values can collide by
// concatenation.
class Canonical {
public:
    Canonical() = default;
    explicit Canonical(std::uint64_t state) : hash_(state) {}

    void field(std::string_view key, std::string_view value) {
        bytes(key);
        bytes("=");
        bytes(std::to_string(value.size()));
        bytes(":");
        bytes(value);
        bytes("\n");
    }
    void field(std::string_view key, std::int64_t value) { field(key, std::to_string(value)); }

    std::uint64_t state() const { return hash_; }

    std::string digest() const {
        static constexpr char kHex[] = "0123456789abcdef";
        std::uint64_t hash = hash_;
        std::string out(16, '0');
        for (int i = 15; i >= 0; --i) {
            out[static_cast<std::size_t>(i)] = kHex[hash & 0xF];
            hash >>= 4;
        }
        return out;
    }

private:
    void bytes(std::string_view text) {
        for (char c : text) {
            hash_ ^= static_cast<unsigned char>(c);
            hash_ *= 1099511628211ULL;  // FNV-1a 64 prime
        }
    }

    std::uint64_t hash_ = 14695981039346656037ULL;  // FNV-1a 64 offset basis
};

void configValue(Canonical& out, const std::string& key, const spec::ConfigValue& value) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                out.field("config.bool." + key, v ? "true" : "false");
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out.field("config.int." + key, v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                out.field("config.string." + key, v);
            } else {
                out.field("config.list." + key, static_cast<std::int64_t>(v.size()));
                for (const auto& item : v) {
                    out.field("config.item", item);
                }
            }
        },
        value);
}

// The `service` kind's files and unit come from its network's service block.
void serviceFields(Canonical& out, const spec::ServiceSpec& service) {
    out.field("service.unit", service.unit);
    out.field("service.user", service.user);
    out.field("service.command", static_cast<std::int64_t>(service.command.size()));
    for (const auto& arg : service.command) {
        out.field("service.arg", arg);
    }
    for (const auto& [key, value] : service.environment) {
        out.field("service.env." + key, value);
    }
    out.field("service.files", static_cast<std::int64_t>(service.files.size()));
    for (const auto& file : service.files) {
        out.field("service.file.path", file.path);
        out.field("service.file.content", file.content);
        out.field("service.file.mode", static_cast<std::int64_t>(file.mode));
    }
}

std::string ipText(const std::optional<spec::Ipv4Cidr>& ip) {
    return ip ? ip->str() : "dhcp";
}

// Parts 1 and 2: the network and its members.
std::uint64_t networkState(const spec::Cluster& spec, std::string_view networkName) {
    Canonical out;
    out.field("format", "chainvisor-config/1");
    if (const spec::Network* network = spec.findNetwork(networkName)) {
        out.field("network.name", network->name);
        out.field("network.kind", spec::toString(network->kind));
        out.field("network.consensus", spec::toString(network->consensus));
        out.field("network.chainId", std::to_string(network->chainId));
        out.field("genesis.file", network->genesis.file);
        out.field("genesis.blockPeriodSeconds", network->genesis.blockPeriodSeconds);
        out.field("genesis.epochLength", network->genesis.epochLength);
        out.field("genesis.requestTimeoutSeconds", network->genesis.requestTimeoutSeconds);
        if (network->service) {
            serviceFields(out, *network->service);
            // Services have no peers: one joining or leaving changes no other's files.
            return out.state();
        }
    } else {
        out.field("network.name", networkName);
    }
    std::vector<const spec::Node*> members;
    for (const auto& node : spec.nodes) {
        if (node.network == networkName && node.state != spec::DesiredState::Absent) {
            members.push_back(&node);
        }
    }
    std::sort(members.begin(), members.end(),
              [](const spec::Node* a, const spec::Node* b) { return a->name < b->name; });
    out.field("members", static_cast<std::int64_t>(members.size()));
    for (const spec::Node* member : members) {
        out.field("member.name", member->name);
        out.field("member.ip", ipText(member->ip));
        out.field("member.p2p", member->ports.p2p);
        out.field("member.role", spec::toString(member->role));
    }
    return out.state();
}

}  // namespace

namespace detail {

std::string ConfigFingerprints::of(const spec::Node& node) {
    auto it = networkState_.find(node.network);
    if (it == networkState_.end()) {
        it = networkState_.emplace(node.network, networkState(spec_, node.network)).first;
    }
    // Part 3: the node itself.
    Canonical out(it->second);
    out.field("node.name", node.name);
    out.field("node.role", spec::toString(node.role));
    out.field("node.ip", ipText(node.ip));
    out.field("node.ports.p2p", node.ports.p2p);
    out.field("node.ports.rpc", node.ports.rpc);
    out.field("node.ports.metrics", node.ports.metrics);
    out.field("node.keyFile", node.keyFile);
    for (const auto& [key, value] : node.config) {  // std::map: already in key order
        configValue(out, key, value);
    }
    return out.digest();
}

}  // namespace detail

std::string desiredConfigFingerprint(const spec::Cluster& spec, const spec::Node& node) {
    return detail::ConfigFingerprints(spec).of(node);
}

}  // namespace chainvisor::plan
