#include "nodes/bitcell/command_line.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace chainvisor::nodes::bitcell {
namespace {

using hosts::Error;

std::optional<std::string> subcommandOf(spec::Role role) {
    switch (role) {
        case spec::Role::Validator:
            return "validator";
        case spec::Role::Miner:
            return "miner";
        case spec::Role::Full:
            return "full-node";
        default:
            return std::nullopt;
    }
}

// Flags chainvisor sets, or that would replace the key it provisions, and what to do instead.
// The cluster reader refuses the first four already; the others it lets through.
struct Refused {
    std::string_view key;
    std::string_view instead;
};
constexpr std::array kRefused = {
    Refused{"port", "use ports.p2p"},
    Refused{"rpc-port", "use ports.rpc"},
    Refused{"data-dir", "remove it"},
    Refused{"key-file", "use keyFile"},
    Refused{"enable-dht", "remove it"},
    Refused{"bootstrap",
            "remove it; chainvisor gives each node the next one as its bootstrap peer"},
    // --private-key wins over --key-file in bitcell-node; --key-seed would be ignored.
    Refused{"private-key", "use keyFile"},
    Refused{"key-seed", "use keyFile"},
};

void addOption(std::vector<std::string>& args, const std::string& key, const std::string& value) {
    if (!value.empty() && value.front() == '-') {
        args.push_back("--" + key + "=" + value);
    } else {
        args.push_back("--" + key);
        args.push_back(value);
    }
}

void addConfig(std::vector<std::string>& args, const std::string& key,
               const spec::ConfigValue& value) {
    if (const auto* flag = std::get_if<bool>(&value)) {
        if (*flag) {
            args.push_back("--" + key);
        }
    } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
        addOption(args, key, std::to_string(*number));
    } else if (const auto* text = std::get_if<std::string>(&value)) {
        addOption(args, key, *text);
    } else {
        for (const auto& item : std::get<std::vector<std::string>>(value)) {
            addOption(args, key, item);
        }
    }
}

}  // namespace

namespace {

using Endpoint = std::pair<spec::Ipv4Address, int>;  // a node's address and P2P port

// The other nodes of `node`'s network that are not absent and have an address, sorted, once each.
std::vector<Endpoint> otherEndpoints(const spec::Cluster& spec, const spec::Node& node) {
    std::vector<Endpoint> peers;
    for (const auto& other : spec.nodes) {
        if (other.network == node.network && other.name != node.name &&
            other.state != spec::DesiredState::Absent && other.ip) {
            peers.emplace_back(other.ip->address, other.ports.p2p);
        }
    }
    std::sort(peers.begin(), peers.end());
    peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
    return peers;
}

std::string multiaddress(const Endpoint& endpoint) {
    return "/ip4/" + endpoint.first.str() + "/tcp/" + std::to_string(endpoint.second);
}

}  // namespace

std::vector<std::string> bootstrapAddresses(const spec::Cluster& spec, const spec::Node& node) {
    std::vector<std::string> out;
    for (const auto& endpoint : otherEndpoints(spec, node)) {
        out.push_back(multiaddress(endpoint));
    }
    return out;
}

std::optional<std::string> bootstrapPeer(const spec::Cluster& spec, const spec::Node& node) {
    const auto others = otherEndpoints(spec, node);
    if (others.empty()) {
        return std::nullopt;
    }
    if (!node.ip) {
        return multiaddress(others.front());
    }
    const auto next =
        std::upper_bound(others.begin(), others.end(), Endpoint{node.ip->address, node.ports.p2p});
    return multiaddress(next != others.end() ? *next : others.front());
}

hosts::Result<std::vector<std::string>> commandLine(const spec::Cluster& spec,
                                                    const spec::Node& node) {
    const auto subcommand = subcommandOf(node.role);
    if (!subcommand) {
        return Error::permanent("role " + std::string(spec::toString(node.role)) +
                                " is not a BitCell role; accepted: validator, miner, full");
    }
    for (const auto& [key, value] : node.config) {
        const auto* refused = std::find_if(kRefused.begin(), kRefused.end(),
                                           [&](const Refused& r) { return r.key == key; });
        if (refused != kRefused.end()) {
            return Error::permanent("config." + key + ": --" + key + " is set by chainvisor; " +
                                    std::string(refused->instead));
        }
    }

    std::vector<std::string> args = {kBinary, *subcommand, "--data-dir", kDataDir, "--port",
                                     std::to_string(node.ports.p2p), "--rpc-port",
                                     std::to_string(node.ports.rpc),
                                     // --bootstrap addresses are dialled only with the DHT on.
                                     "--enable-dht"};
    if (auto peer = bootstrapPeer(spec, node)) {
        args.push_back("--bootstrap");
        args.push_back(std::move(*peer));
    }
    args.push_back("--key-file");
    args.push_back(kKeyPath);
    for (const auto& [key, value] : node.config) {
        addConfig(args, key, value);
    }
    return args;
}

}  // namespace chainvisor::nodes::bitcell
