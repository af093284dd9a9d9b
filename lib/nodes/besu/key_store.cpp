#include "nodes/besu/key_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "nodes/besu/key_file.h"
#include "nodes/besu/validator_keys.h"

namespace chainvisor::nodes::besu {

bool hasNodeKeys(const spec::Network& network) {
    return network.kind == spec::NetworkKind::Besu || network.kind == spec::NetworkKind::Bitcell;
}

std::vector<std::string> provisionNodeKeys(const spec::Cluster& cluster,
                                           const std::filesystem::path& stateDir) {
    std::vector<std::string> errors;
    const auto directory = stateDir / kKeysDirectory;
    bool directoryReady = false;
    for (const auto& node : cluster.nodes) {
        const spec::Network* network = cluster.findNetwork(node.network);
        if (network == nullptr || !hasNodeKeys(*network) || !node.keyFile.empty() ||
            node.state == spec::DesiredState::Absent) {
            continue;
        }
        const auto path = nodeKeyPath(node, stateDir);
        struct stat info {};
        if (::stat(path.c_str(), &info) == 0) {
            continue;
        }
        if (!directoryReady) {
            if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
                errors.push_back("cannot make " + directory.string() + ": " + std::strerror(errno));
                return errors;
            }
            ::chmod(directory.c_str(), 0700);
            directoryReady = true;
        }
        auto made = generateNodeKey();
        if (!made.key) {
            errors.push_back(node.name + ": cannot make a node key: " + made.error);
            continue;
        }
        if (auto error = saveKeyFile(path, *made.key); !error.empty()) {
            errors.push_back(node.name + ": " + error);
        }
    }
    return errors;
}

ParsedKey loadNodeKey(const spec::Node& node, const std::filesystem::path& stateDir) {
    auto loaded = loadKeyFile(nodeKeyPath(node, stateDir));
    if (!loaded.key) {
        loaded.error = "node " + node.name + ": " + loaded.error;
    }
    return loaded;
}

}  // namespace chainvisor::nodes::besu
