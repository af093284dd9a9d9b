// Checks across entries of a cluster file, after every entry was read on its own: unique names,
// unique vmids and addresses per host, validator counts and budgets per network. Also resolves
// what depends on several entries (Network::validatorsDisrupted).
#pragma once

#include "spec/cluster.h"
#include "spec/cluster_reader.h"
#include "spec/field_reader.h"

namespace chainvisor::spec::detail {

void validateCluster(Reader& reader, Cluster& cluster, const ReadFacts& facts);

}  // namespace chainvisor::spec::detail
