// What the engine does inside a container for one node: look at it (service state, installed
// version, applied config) and carry out the in-container actions (install software, write
// config, start/restart/stop the service). Implemented per node kind over Host::exec and
// Host::writeFile; blocking like the Host calls it makes.
#pragma once

#include "hosts/host.h"
#include "plan/action.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::nodes {

class NodeAgent {
public:
    virtual ~NodeAgent() = default;

    // The node's state inside its running container. Probe failures are part of the answer
    // (Health::NotReady), not an error; an error means the container could not be looked into.
    virtual hosts::Result<plan::ObservedNode> inspect(hosts::Host& host, const spec::Cluster& spec,
                                                      const spec::Node& node) = 0;

    // InstallSoftware, WriteConfig, StartService, RestartService, StopService.
    virtual hosts::Result<void> perform(hosts::Host& host, const spec::Cluster& spec,
                                        const spec::Node& node, const plan::Action& action) = 0;
};

}  // namespace chainvisor::nodes
