#include "node_kinds.h"

namespace chainvisor::daemon {

const nodes::NodeKind* NodeKinds::kindFor(const spec::Cluster& spec, const spec::Node& node) const {
    const auto* network = spec.findNetwork(node.network);
    if (network == nullptr) {
        return nullptr;
    }
    switch (network->kind) {
        case spec::NetworkKind::Service:
            return &service_;
        case spec::NetworkKind::Besu:
            return &besu_;
        case spec::NetworkKind::Bitcell:
            return &bitcell_;
    }
    return nullptr;
}

}  // namespace chainvisor::daemon
