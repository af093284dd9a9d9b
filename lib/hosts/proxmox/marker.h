// chainvisor's ownership marker on a Proxmox container: three tags.
//
//   chainvisor          this container was made (or adopted) by a chainvisor
//   cv-c-<cluster>      the cluster file's name   (spec.name)
//   cv-n-<node>         the spec node's name
//
// Tags because /cluster/resources lists them with every guest, so ownership needs no request of
// its own, and an operator sees them in the web UI and can filter by them. Proxmox allows
// [a-z0-9_+.-] in tags (it lower-cases, sorts and de-duplicates them, joined by ';'); cluster and
// node names are lower-case letters, digits and '-' (the spec's name rule), so a name survives
// that normalisation unchanged. Other tags on the container are kept when the marker is written.
//
// Reading: all three present, one cv-c- and one cv-n- → owner. Anything else → no owner; when
// cv-c-/cv-n- tags are present but not exactly one each, the marker is `conflicting` and the
// provider refuses to adopt the container too.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "plan/observed.h"

namespace chainvisor::hosts::proxmox {

inline constexpr std::string_view kMarkerTag = "chainvisor";
inline constexpr std::string_view kClusterTagPrefix = "cv-c-";
inline constexpr std::string_view kNodeTagPrefix = "cv-n-";

struct TagMarker {
    std::optional<plan::OwnerMarker> owner;
    std::set<std::string> clusters;  // every cv-c- tag's cluster
    bool conflicting = false;        // several cv-c- or cv-n- tags
};

// Proxmox's tag list as a set: split at ';', ',' or white space, lower-cased, de-duplicated.
std::set<std::string> splitTags(std::string_view tags);
std::string joinTags(const std::set<std::string>& tags);  // ';'-joined, sorted

TagMarker parseMarker(std::string_view tags);

// The tags to write: `existing` without any chainvisor tag, plus the marker of `owner`.
std::string tagsWithMarker(std::string_view existing, const plan::OwnerMarker& owner);

// A name can be carried by a tag ([a-z0-9_+.-], not empty).
bool taggable(std::string_view name);

// "cluster prod (node val1)", for messages.
std::string ownerText(const plan::OwnerMarker& owner);

}  // namespace chainvisor::hosts::proxmox
