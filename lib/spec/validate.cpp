#include "spec/validate.h"

#include <map>
#include <tuple>

#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {
namespace {

// "by nodes[0] (line 9)": where the first user of a value wrote it.
std::string firstUse(const Reader& reader, const std::string& path, const std::string& field) {
    const Location where = reader.source().find(childPath(path, field));
    std::string out = "by " + path;
    if (where.line > 0) {
        out += " (line " + std::to_string(where.line) + ")";
    }
    return out;
}

template <typename T, typename Facts>
void checkUniqueNames(Reader& reader, const std::vector<T>& items,
                      const std::vector<Facts>& facts) {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!facts[i].nameValid) {
            continue;
        }
        auto [it, inserted] = seen.emplace(items[i].name, i);
        if (!inserted) {
            const std::string path = childPath(facts[i].path, "name");
            reader.error(reader.source().find(path), path,
                         yaml::quote(items[i].name) + " is already used " +
                             firstUse(reader, facts[it->second].path, "name"));
        }
    }
}

void checkNodesPerHost(Reader& reader, const Cluster& cluster, const ReadFacts& facts) {
    std::map<std::pair<std::size_t, int>, std::size_t> vmids;
    std::map<std::pair<std::size_t, std::uint32_t>, std::size_t> addresses;
    for (std::size_t i = 0; i < cluster.nodes.size(); ++i) {
        const Node& node = cluster.nodes[i];
        const auto& f = facts.nodes[i];
        if (!f.host) {
            continue;
        }
        if (f.vmidValid) {
            auto [it, inserted] = vmids.emplace(std::pair{*f.host, node.vmid}, i);
            if (!inserted) {
                const std::string path = childPath(f.path, "vmid");
                reader.error(reader.source().find(path), path,
                             std::to_string(node.vmid) + " is already used " +
                                 firstUse(reader, facts.nodes[it->second].path, "vmid"));
            }
        }
        if (node.ip) {
            auto [it, inserted] = addresses.emplace(std::pair{*f.host, node.ip->address.value}, i);
            if (!inserted) {
                const std::string path = childPath(f.path, "ip");
                reader.error(reader.source().find(path), path,
                             node.ip->address.str() + " is already used " +
                                 firstUse(reader, facts.nodes[it->second].path, "ip"));
            }
        }
    }
}

void checkNetworks(Reader& reader, Cluster& cluster, const ReadFacts& facts) {
    struct Count {
        int nodes = 0;
        int validators = 0;
        bool exact = true;  // every node of the network had a readable role and state
    };
    std::vector<Count> counts(cluster.networks.size());
    for (std::size_t i = 0; i < cluster.nodes.size(); ++i) {
        const auto& f = facts.nodes[i];
        if (!f.network) {
            continue;
        }
        Count& c = counts[*f.network];
        ++c.nodes;
        c.exact = c.exact && f.roleValid && f.stateValid;
        const Node& node = cluster.nodes[i];
        if (node.role == Role::Validator && node.state != DesiredState::Absent) {
            ++c.validators;
        }
    }
    for (std::size_t n = 0; n < cluster.networks.size(); ++n) {
        Network& network = cluster.networks[n];
        const auto& f = facts.networks[n];
        const Count& c = counts[n];
        const int tolerance = faultTolerance(c.validators);
        network.validatorsDisrupted =
            f.budgetValue ? *f.budgetValue
                          : std::min(cluster.policy.budgets.validatorsDisrupted, tolerance);
        if (!f.nameValid || !f.kindValid || !c.exact) {
            continue;  // counts would be guesses
        }
        const std::string named = "network '" + network.name + "'";
        if (c.nodes == 0) {
            if (!cluster.nodes.empty()) {
                reader.warning(f.where, f.path, named + " has no nodes");
            }
            continue;
        }
        if (network.kind == NetworkKind::Besu && c.validators == 0) {
            reader.error(f.where, f.path,
                         named +
                             " has no validators, so it cannot make blocks; accepted: at "
                             "least 1 node with role: validator (4 or more tolerate a fault)");
            continue;
        }
        if (network.kind == NetworkKind::Besu && c.validators < 4) {
            reader.warning(f.where, f.path,
                           named + " has " + std::to_string(c.validators) +
                               (c.validators == 1 ? " validator" : " validators") +
                               ": no fault tolerance: f = 0; 4 or more validators tolerate one "
                               "down");
        }
        if (f.budget && *f.budgetValue > tolerance) {
            reader.error(*f.budget,
                         std::to_string(*f.budgetValue) + " is more than " + named +
                             " can lose: n = " + std::to_string(c.validators) +
                             " validators give f = ⌊(n−1)/3⌋ = " + std::to_string(tolerance) +
                             "; accepted: 0 to " + std::to_string(tolerance));
        }
    }
}

}  // namespace

void validateCluster(Reader& reader, Cluster& cluster, const ReadFacts& facts) {
    if (reader.exhausted()) {
        return;
    }
    checkUniqueNames(reader, cluster.hosts, facts.hosts);
    checkUniqueNames(reader, cluster.networks, facts.networks);
    checkUniqueNames(reader, cluster.nodes, facts.nodes);
    checkNodesPerHost(reader, cluster, facts);
    checkNetworks(reader, cluster, facts);
}

}  // namespace chainvisor::spec::detail
