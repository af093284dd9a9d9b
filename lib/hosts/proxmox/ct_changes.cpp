#include "hosts/proxmox/ct_changes.h"

#include <regex>
#include <set>

#include "hosts/proxmox/marker.h"

namespace chainvisor::hosts::proxmox {

Result<CtChanges> classifyChanges(const std::vector<plan::FieldChange>& changes,
                                  std::string_view via) {
    static const std::set<std::string> kFields = {"memory", "swap",    "cores",  "hostname",
                                                  "ip",     "gateway", "bridge", "owner"};
    CtChanges out;
    for (const auto& c : changes) {
        if (!kFields.contains(c.field)) {
            return Error::permanent("cannot change '" + c.field + "' " + std::string(via));
        }
        out.adopt = out.adopt || c.field == "owner";
        out.network = out.network || c.field == "ip" || c.field == "gateway" || c.field == "bridge";
        if (c.field != "memory" && c.field != "swap" && c.field != "owner") {
            out.needStopped.push_back(c.field);
        }
    }
    return out;
}

Result<void> checkMarkable(const plan::OwnerMarker& owner, const std::string& clusterName) {
    if (!taggable(owner.cluster) || !taggable(owner.node) || owner.cluster != clusterName) {
        return Error::permanent("cannot mark it for " + ownerText(owner));
    }
    return {};
}

Result<void> checkSnapshotName(const std::string& name) {
    static const std::regex pattern("^[A-Za-z][A-Za-z0-9_-]{0,39}$");
    if (!std::regex_match(name, pattern) || name == "current" || name == "vzdump") {
        return Error::permanent("snapshot name '" + name +
                                "' must match [A-Za-z][A-Za-z0-9_-]{0,39} and not be 'current' "
                                "or 'vzdump'");
    }
    return {};
}

}  // namespace chainvisor::hosts::proxmox
