#include "hosts/proxmox/ct_changes.h"

#include <algorithm>
#include <regex>
#include <set>

namespace chainvisor::hosts::proxmox {

Result<CtChanges> classifyChanges(const std::vector<plan::FieldChange>& changes,
                                  const plan::OwnerMarker& owner, const std::string& clusterName,
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
    if (out.adopt &&
        (!taggable(owner.cluster) || !taggable(owner.node) || owner.cluster != clusterName)) {
        return Error::permanent("cannot mark it for " + ownerText(owner));
    }
    return out;
}

Result<void> checkUpdatable(const TagMarker& marker, const std::string& tags,
                            const plan::OwnerMarker& owner, const std::string& clusterName,
                            bool adopt) {
    if (adopt) {
        const bool foreign = marker.conflicting ||
                             std::any_of(marker.clusters.begin(), marker.clusters.end(),
                                         [&](const std::string& c) { return c != clusterName; });
        if (foreign) {
            return Error::permanent("carries another chainvisor's marker (tags: " + tags +
                                    "); refusing to take it over for " + ownerText(owner));
        }
        return {};
    }
    if (!marker.owner) {
        return Error::permanent(
            "has no chainvisor marker (tags: " + (tags.empty() ? std::string("none") : tags) +
            "): not created by chainvisor; refusing to update it (adopt: "
            "true takes it over)");
    }
    if (marker.owner->cluster != owner.cluster || marker.owner->node != owner.node) {
        return Error::permanent("belongs to " + ownerText(*marker.owner) + ", not " +
                                ownerText(owner) + "; refusing to update it");
    }
    return {};
}

Result<void> checkStopped(const CtChanges& changes, const std::string& status) {
    if (changes.needStopped.empty() || status == "stopped") {
        return {};
    }
    std::string fields;
    for (const auto& f : changes.needStopped) {
        fields += (fields.empty() ? "" : ", ") + f;
    }
    return Error::transient(fields + " cannot change while it is " +
                            (status.empty() ? std::string("not stopped") : status) +
                            "; stop it first");
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
