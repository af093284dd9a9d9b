// Installing a node's software from its release archive (a .tar.gz whose top directory holds the
// release, as Besu's and BitCell's are published): unpacked once into a versioned directory,
// /opt/<product>/<version>, and switched to by renaming a symlink over /opt/<product>/current,
// which is atomic: the unit always starts one whole version. Older versions stay for rollback;
// the node's data lives elsewhere and is kept across upgrades.
#pragma once

#include <string>

#include "nodes/node_kind.h"
#include "spec/cluster.h"

namespace chainvisor::nodes {

struct ArchiveRelease {
    std::string product;  // "besu": /opt/besu/<version>, archive name besu-<version>.tar.gz
    std::string user;     // the service's system user, made when missing
    std::string dataDir;  // its home and data directory (0750, owned by the user)
};

// "/opt/<product>/current": what the unit runs.
std::string currentDir(const ArchiveRelease& release);

// Uploads network.source.path (when set) into the container, then one script that makes the
// user and data directory, fetches source.url from inside the container (when set; curl, wget
// or python3, whichever the container has), checks source.sha256, unpacks and switches.
InstallPlan archiveInstallPlan(const ArchiveRelease& release, const spec::Network& network);

}  // namespace chainvisor::nodes
