// Maps a yaml::Document onto the spec types: every key and value checked against the schema of
// chainvisor/v1, every default resolved into the value (so nothing downstream re-derives one),
// every field's location recorded. Checks that need the whole file (uniqueness, counts, budgets)
// are in validate.h; they use the facts gathered here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "spec/cluster.h"
#include "spec/field_reader.h"
#include "spec/load.h"

namespace chainvisor::spec::detail {

// What reading learnt beyond the Cluster value. Entries of hosts, networks and nodes are read
// into the cluster at the same index as in the file, usable or not, so "nodes[2]" is
// cluster.nodes[2]; these facts say which parts of each were read successfully.
struct ReadFacts {
    struct Item {
        std::string path;  // "nodes[2]"
        Location where;    // its mapping
        bool nameValid = false;
        std::string rawName;  // the name as written, valid or not
    };
    struct NetworkFacts : Item {
        bool kindValid = false;
        std::optional<Field> budget;  // budget.validatorsDisrupted, when written and valid
        std::optional<int> budgetValue;
    };
    struct NodeFacts : Item {
        std::optional<std::size_t> network;  // index into cluster.networks when it resolved
        std::optional<std::size_t> host;     // index into cluster.hosts when it resolved
        bool roleValid = false;
        bool stateValid = true;
        bool vmidValid = false;
    };
    std::vector<Item> hosts;
    std::vector<NetworkFacts> networks;
    std::vector<NodeFacts> nodes;
    bool hostsListed = false;     // the hosts list was read (references can be checked)
    bool networksListed = false;  // the networks list was read
};

// Stands in for a value that may be a secret written in the wrong place.
inline constexpr std::string_view kNotShown = "the value (not shown: it may be a secret)";

class ClusterReader {
public:
    ClusterReader(Reader& reader, const FileProbe& files) : r_(reader), files_(files) {}

    // Reads the whole document. Problems are reported to the Reader; the cluster is complete
    // only if none was an error.
    void read();

    Cluster& cluster() { return cluster_; }
    const ReadFacts& facts() const { return facts_; }

private:
    // cluster_reader.cpp: the top level, defaults and policy.
    void readDefaults(const Field& field);
    void readResources(const Field& field, Resources& into);
    void readPolicy(const Field& field);
    void readBudgets(const Field& field);
    void readHealthGate(const Field& field);

    // read_hosts.cpp
    void readHosts(const Field& field);
    void readHost(const Field& field, Host& host, ReadFacts::Item& facts);
    void readPveNodes(const Field& field, Host& host);
    std::optional<ApiEndpoint> readApi(const Field& field);
    std::optional<SshEndpoint> readSsh(const Field& field, const Host& host);
    std::optional<std::string> readSshAddress(const Field& field);

    // read_networks.cpp
    void readNetworks(const Field& field);
    void readNetwork(const Field& field, Network& network, ReadFacts::NetworkFacts& facts);
    void readConsensus(const Field& field, Network& network);
    void readGenesis(const Field& field, GenesisSpec& genesis);
    void readVersion(const Field& field, Network& network);
    void readSource(const Field& field, SoftwareSource& source);

    // read_service.cpp: the `service` kind's block.
    void readService(const Field& field, ServiceSpec& service);
    void readServiceFiles(const Field& field, ServiceSpec& service);
    void readProbe(const Field& field, HttpProbeSpec& probe);

    // read_nodes.cpp
    void readNodes(const Field& field);
    void readNode(const Field& field, Node& node, ReadFacts::NodeFacts& facts);
    void readRole(const Field& field, Node& node, ReadFacts::NodeFacts& facts);
    void readPveNode(MappingReader& mapping, const std::optional<Field>& field, Node& node,
                     const ReadFacts::NodeFacts& facts);
    void readAddresses(const std::optional<Field>& ipField,
                       const std::optional<Field>& gatewayField, Node& node);
    void readPorts(const std::optional<Field>& field, Node& node,
                   const ReadFacts::NodeFacts& facts);
    void readConfig(const Field& field, Node& node, const ReadFacts::NodeFacts& facts);
    void readLabels(const Field& field, Node& node);

    // Shared value rules.
    std::optional<std::string> readName(const Field& field, std::size_t maxLength);
    // The `name` of a host, network or node: recorded in `facts` as written and whether valid.
    std::optional<std::string> readItemName(const std::optional<Field>& field,
                                            ReadFacts::Item& facts);
    // `secret`: the field names where a secret lives, so a wrong value may be the secret itself
    // pasted in by mistake: it is not repeated in the message.
    std::optional<std::string> readAbsolutePath(const Field& field, bool secret = false);
    std::optional<std::string> readSecretFile(const Field& field);
    std::optional<std::string> readStorage(const Field& field);
    std::optional<std::string> readBridge(const Field& field);
    bool readInt(const Field& field, std::int64_t min, std::int64_t max, int& into);
    // Index of the host/network named `name` (among those with a valid name), else a located
    // error suggesting the closest name.
    std::optional<std::size_t> resolveHost(const Field& field, const std::string& name);
    std::optional<std::size_t> resolveNetwork(const Field& field, const std::string& name);

    Reader& r_;
    const FileProbe& files_;
    Cluster cluster_;
    ReadFacts facts_;
};

}  // namespace chainvisor::spec::detail
