#include "nodes/besu/peer_files.h"

#include <algorithm>
#include <boost/json/array.hpp>

#include "nodes/besu/pretty_json.h"
#include "nodes/besu/toml.h"

namespace chainvisor::nodes::besu {
namespace {

std::vector<std::string> urls(std::span<const Enode> peers) {
    std::vector<std::string> out;
    for (const auto& peer : peers) {
        out.push_back(peer.str());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace

std::string renderStaticNodes(std::span<const Enode> peers) {
    boost::json::array array;
    for (auto& url : urls(peers)) {
        array.emplace_back(url);
    }
    return prettyJson(array);
}

std::string renderNodesPermissions(std::span<const Enode> peers) {
    return "# Written by chainvisord; changes here are overwritten.\n" +
           tomlLine("nodes-allowlist", urls(peers));
}

}  // namespace chainvisor::nodes::besu
