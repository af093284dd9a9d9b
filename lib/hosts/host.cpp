#include "hosts/host.h"

namespace chainvisor::hosts {

ContainerSpec containerSpecFor(const spec::Cluster& cluster, const spec::Node& node) {
    ContainerSpec spec;
    spec.vmid = node.vmid;
    spec.pveNode = node.pveNode;
    spec.hostname = node.hostname.empty() ? node.name : node.hostname;
    spec.resources = node.resources;
    spec.ip = node.ip;
    spec.gateway = node.gateway;
    spec.bridge = node.bridge;
    spec.osTemplate = node.osTemplate;
    spec.storage = node.storage;
    spec.owner = plan::OwnerMarker{cluster.name, node.name};
    return spec;
}

}  // namespace chainvisor::hosts
