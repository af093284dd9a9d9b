// The engine drives nodes through nodes::NodeAgent (lib/nodes/node_agent.h).
#pragma once

#include "nodes/node_agent.h"

namespace chainvisor::engine {
using nodes::NodeAgent;
}  // namespace chainvisor::engine
