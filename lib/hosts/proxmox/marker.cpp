#include "hosts/proxmox/marker.h"

#include <algorithm>
#include <cctype>

namespace chainvisor::hosts::proxmox {
namespace {

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool chainvisorTag(std::string_view tag) {
    return tag == kMarkerTag || startsWith(tag, kClusterTagPrefix) ||
           startsWith(tag, kNodeTagPrefix);
}

}  // namespace

std::set<std::string> splitTags(std::string_view tags) {
    std::set<std::string> out;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) {
            out.insert(current);
            current.clear();
        }
    };
    for (const char c : tags) {
        if (c == ';' || c == ',' || std::isspace(static_cast<unsigned char>(c))) {
            flush();
        } else {
            current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    flush();
    return out;
}

std::string joinTags(const std::set<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) {
        out += (out.empty() ? "" : ";") + t;
    }
    return out;
}

TagMarker parseMarker(std::string_view tags) {
    TagMarker m;
    bool marked = false;
    std::set<std::string> nodes;
    for (const auto& tag : splitTags(tags)) {
        if (tag == kMarkerTag) {
            marked = true;
        } else if (startsWith(tag, kClusterTagPrefix) && tag.size() > kClusterTagPrefix.size()) {
            m.clusters.insert(tag.substr(kClusterTagPrefix.size()));
        } else if (startsWith(tag, kNodeTagPrefix) && tag.size() > kNodeTagPrefix.size()) {
            nodes.insert(tag.substr(kNodeTagPrefix.size()));
        }
    }
    m.conflicting = m.clusters.size() > 1 || nodes.size() > 1;
    if (marked && m.clusters.size() == 1 && nodes.size() == 1) {
        m.owner = plan::OwnerMarker{*m.clusters.begin(), *nodes.begin()};
    }
    return m;
}

std::string tagsWithMarker(std::string_view existing, const plan::OwnerMarker& owner) {
    std::set<std::string> tags;
    for (const auto& t : splitTags(existing)) {
        if (!chainvisorTag(t)) {
            tags.insert(t);
        }
    }
    tags.insert(std::string(kMarkerTag));
    tags.insert(std::string(kClusterTagPrefix) + owner.cluster);
    tags.insert(std::string(kNodeTagPrefix) + owner.node);
    return joinTags(tags);
}

std::string ownerText(const plan::OwnerMarker& owner) {
    return "cluster " + owner.cluster + " (node " + owner.node + ")";
}

bool taggable(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
               c == '.' || c == '-';
    });
}

}  // namespace chainvisor::hosts::proxmox
