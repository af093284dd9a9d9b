#include "nodes/besu/network_genesis.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include "nodes/besu/genesis.h"
#include "nodes/besu/validator_keys.h"
#include "os/atomic_file.h"

namespace chainvisor::nodes::besu {
namespace {

bool readWhole(const std::filesystem::path& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

}  // namespace

std::filesystem::path keptGenesisPath(const spec::Network& network,
                                      const std::filesystem::path& stateDir) {
    return stateDir / kGenesisDirectory / (network.name + ".json");
}

NetworkGenesis networkGenesis(const spec::Cluster& cluster, const spec::Network& network,
                              const std::filesystem::path& stateDir, bool keep) {
    NetworkGenesis result;
    if (!network.genesis.file.empty()) {
        if (!readWhole(network.genesis.file, result.text)) {
            result.text.clear();
            result.error = "network '" + network.name + "': cannot read its genesis file " +
                           network.genesis.file;
        }
        return result;
    }
    const auto kept = keptGenesisPath(network, stateDir);
    std::error_code ec;
    if (std::filesystem::exists(kept, ec)) {
        if (!readWhole(kept, result.text)) {
            result.text.clear();
            result.error = "network '" + network.name + "': cannot read " + kept.string();
            result.retry = true;
        }
        result.kept = true;
        return result;
    }
    auto validators = readValidatorAddresses(cluster, network, stateDir);
    if (!validators.errors.empty()) {
        for (const auto& error : validators.errors) {
            result.error += (result.error.empty() ? "" : "; ") + error;
        }
        result.retry = true;  // keys are made when the daemon starts or reloads
        return result;
    }
    result.text = renderGenesis(genesisParamsFor(network, std::move(validators.addresses)));
    if (keep) {
        if (auto error = os::ensureDirectory(kept.parent_path(), 0755); !error.empty()) {
            result.error = error;
            result.retry = true;
            result.text.clear();
            return result;
        }
        if (auto error = os::writeFileAtomically(kept, result.text, 0644); !error.empty()) {
            result.error = error;
            result.retry = true;
            result.text.clear();
            return result;
        }
        result.kept = true;
    }
    return result;
}

}  // namespace chainvisor::nodes::besu
