// The observer: one blocking look at the world, per host: its containers (Host::observe) and,
// inside every running container the spec manages, its node (NodeAgent::inspect). What cannot be
// seen is reported as such (an unreachable host, a node with Unknown service and health), never
// guessed, so the planner does not act while blind.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/node_agent.h"
#include "hosts/host.h"
#include "plan/observed.h"
#include "spec/cluster.h"

namespace chainvisor::engine {

// Host providers by name, for the spec's hosts.
using HostMap = std::map<std::string, hosts::Host*, std::less<>>;

// What one host showed: its containers, and the nodes inspected inside them.
struct HostObservation {
    plan::ObservedHost host;
    std::vector<plan::ObservedNode> nodes;
};

// A host that could not be observed: reachable = false with `error` as the reason.
HostObservation unobservable(std::string host, std::string error);

// Whether `container` is the one `node` is managed through: on the node's Proxmox node, and
// marked as this cluster's node (or, with adopt: true, unmarked or marked as another node of this
// cluster). The planner applies the same rule before it acts.
bool managesContainer(const spec::Cluster& spec, const spec::Node& node,
                      const plan::ObservedContainer& container);

// Observes `host` and inspects every node of the spec on it whose managed container is running.
// An inspection that fails leaves that node with service and health Unknown. Blocking; safe to run
// for different hosts at once; never throws.
HostObservation observeHost(const spec::Cluster& spec, const spec::Host& specHost,
                            hosts::Host& host, NodeAgent& agent);

// Every spec host, one after the other (the reconcile loop runs observeHost per host in
// parallel instead). A spec host without a provider in `hosts` is unobservable.
plan::Observed observeAll(const spec::Cluster& spec, const HostMap& hosts, NodeAgent& agent);

// Merges one host's observation into `observed`.
void addTo(plan::Observed& observed, HostObservation observation);

}  // namespace chainvisor::engine
