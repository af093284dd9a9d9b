#include "hosts/proxmox/resources.h"

#include "hosts/proxmox/json_fields.h"

namespace chainvisor::hosts::proxmox {

std::vector<ResourceEntry> parseResources(const boost::json::value& data) {
    std::vector<ResourceEntry> out;
    const auto* list = data.if_array();
    if (list == nullptr) {
        return out;
    }
    for (const auto& item : *list) {
        const auto* o = item.if_object();
        if (o == nullptr) {
            continue;
        }
        ResourceEntry e;
        e.type = textField(*o, "type");
        const auto vmid = integerField(*o, "vmid");
        e.node = textField(*o, "node");
        if (!vmid || *vmid <= 0 || *vmid > 999'999'999 || e.node.empty()) {
            continue;
        }
        e.vmid = static_cast<int>(*vmid);
        if (e.type.empty()) {  // older answers: only the id "lxc/100"
            const std::string id = textField(*o, "id");
            e.type = id.substr(0, id.find('/'));
        }
        e.status = textField(*o, "status");
        e.name = textField(*o, "name");
        e.lock = textField(*o, "lock");
        e.tags = textField(*o, "tags");
        e.maxmem = integerField(*o, "maxmem").value_or(0);
        e.maxdisk = integerField(*o, "maxdisk").value_or(0);
        e.maxcpu = numberField(*o, "maxcpu").value_or(0);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<NodeEntry> parseNodes(const boost::json::value& data) {
    std::vector<NodeEntry> out;
    const auto* list = data.if_array();
    if (list == nullptr) {
        return out;
    }
    for (const auto& item : *list) {
        if (const auto* o = item.if_object()) {
            NodeEntry n{textField(*o, "node"), textField(*o, "status")};
            if (!n.node.empty()) {
                out.push_back(std::move(n));
            }
        }
    }
    return out;
}

}  // namespace chainvisor::hosts::proxmox
