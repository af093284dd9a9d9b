#include "ctl_besu.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "nodes/besu/genesis.h"
#include "nodes/besu/key_file.h"
#include "nodes/besu/network_genesis.h"
#include "nodes/besu/validator_keys.h"
#include "spec/did_you_mean.h"
#include "spec/load.h"

namespace chainvisor::ctl {
namespace {

namespace besu = nodes::besu;

int fail(Output output, const std::string& message) {
    output.err << "chainvisorctl: " << message << "\n";
    return kExitError;
}

int address(const CtlOptions& options, Output output) {
    const auto loaded = besu::loadKeyFile(options.keyFile);
    if (!loaded.key) {
        return fail(output, loaded.error);
    }
    const auto address = loaded.key->address().checksummed();
    const auto publicKey = loaded.key->publicKey().hex();
    if (options.json) {
        output.out << boost::json::serialize(
                          boost::json::object{{"address", address}, {"publicKey", publicKey}})
                   << "\n";
    } else {
        output.out << "address:    " << address << "\n"
                   << "public key: " << publicKey << "\n";
    }
    return kExitOk;
}

// The Besu network the command is about: the one named, else the only one there is.
const spec::Network* chooseNetwork(const spec::Cluster& cluster, const CtlOptions& options,
                                   Output output) {
    const std::string file = options.config.string();
    std::vector<std::string> names;
    for (const auto& network : cluster.networks) {
        if (network.kind == spec::NetworkKind::Besu) {
            names.push_back(network.name);
        }
    }
    if (!options.network.empty()) {
        const auto* network = cluster.findNetwork(options.network);
        if (network == nullptr) {
            fail(output, "no network '" + options.network + "' in " + file + "; " +
                             spec::detail::suggestion(options.network, names,
                                                      "it declares no Besu network"));
            return nullptr;
        }
        if (network->kind != spec::NetworkKind::Besu) {
            fail(output, "network '" + network->name + "' is a " +
                             std::string(spec::toString(network->kind)) +
                             " network; only Besu networks have a genesis file");
            return nullptr;
        }
        return network;
    }
    if (names.size() == 1) {
        return cluster.findNetwork(names.front());
    }
    if (names.empty()) {
        fail(output, file + " declares no Besu network, so there is no genesis file to print");
        return nullptr;
    }
    std::string list;
    for (const auto& name : names) {
        list += (list.empty() ? "" : ", ") + name;
    }
    fail(output, file + " declares several Besu networks (" + list + "); name one with --network");
    return nullptr;
}

int genesis(const CtlOptions& options, Output output) {
    spec::SystemFileProbe files;
    const auto loaded = spec::loadClusterFile(options.config, files);
    std::size_t errors = 0;
    for (const auto& diagnostic : loaded.diagnostics) {
        output.err << diagnostic.str() << "\n";
        errors += diagnostic.severity == spec::Severity::Error ? 1 : 0;
    }
    if (!loaded.cluster) {
        return fail(output, options.config.string() + ": " + std::to_string(errors) +
                                (errors == 1 ? " error" : " errors") + "; no genesis printed");
    }
    const auto* network = chooseNetwork(*loaded.cluster, options, output);
    if (network == nullptr) {
        return kExitError;
    }
    // What the daemon installs: the network's own file, the genesis it kept when the chain
    // began, or (no chain yet) the one it would render now. Nothing is written here.
    const auto genesis = besu::networkGenesis(*loaded.cluster, *network, options.stateDir, false);
    if (!genesis.error.empty()) {
        return fail(output, genesis.error);
    }
    output.out << genesis.text;
    return kExitOk;
}

}  // namespace

int runBesuCommand(const CtlOptions& options, Output output) {
    return options.command == Command::BesuAddress ? address(options, output)
                                                   : genesis(options, output);
}

}  // namespace chainvisor::ctl
