#include "hosts/lxc/marker.h"

#include <boost/json.hpp>

namespace chainvisor::hosts::lxc {
namespace {

namespace json = boost::json;

std::optional<std::string> stringField(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string(v->as_string());
}

std::optional<int> intField(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64() || v->as_int64() < 0 || v->as_int64() > 1'000'000'000) {
        return std::nullopt;
    }
    return static_cast<int>(v->as_int64());
}

}  // namespace

Marker markerFor(const ContainerSpec& spec) {
    Marker m;
    m.owner = spec.owner;
    m.vmid = spec.vmid;
    m.hostname = spec.hostname;
    m.resources = spec.resources;
    m.ip = spec.ip;
    m.gateway = spec.gateway;
    m.bridge = spec.bridge;
    return m;
}

std::string renderMarker(const Marker& m) {
    json::object o;
    o["version"] = 1;
    o["cluster"] = m.owner.cluster;
    o["node"] = m.owner.node;
    o["vmid"] = m.vmid;
    o["hostname"] = m.hostname;
    o["resources"] = json::object{{"cores", m.resources.cores},
                                  {"memoryMiB", m.resources.memoryMiB},
                                  {"swapMiB", m.resources.swapMiB}};
    o["ip"] = m.ip ? json::value(m.ip->str()) : json::value(nullptr);
    o["gateway"] = m.gateway ? json::value(m.gateway->str()) : json::value(nullptr);
    o["bridge"] = m.bridge;
    o["diskGiB"] = m.resources.diskGiB;
    return json::serialize(o) + "\n";
}

std::optional<Marker> parseMarker(std::string_view text) {
    json::error_code ec;
    const json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        return std::nullopt;
    }
    const auto& o = v.as_object();
    Marker m;
    auto cluster = stringField(o, "cluster");
    auto node = stringField(o, "node");
    auto vmid = intField(o, "vmid");
    if (!cluster || !node || !vmid || cluster->empty() || node->empty()) {
        return std::nullopt;
    }
    m.owner = plan::OwnerMarker{*cluster, *node};
    m.vmid = *vmid;
    m.hostname = stringField(o, "hostname").value_or("");
    if (const auto* r = o.if_contains("resources"); r != nullptr && r->is_object()) {
        const auto& ro = r->as_object();
        m.resources.cores = intField(ro, "cores").value_or(m.resources.cores);
        m.resources.memoryMiB = intField(ro, "memoryMiB").value_or(m.resources.memoryMiB);
        m.resources.swapMiB = intField(ro, "swapMiB").value_or(m.resources.swapMiB);
    }
    m.resources.diskGiB = intField(o, "diskGiB").value_or(0);
    if (auto ip = stringField(o, "ip")) {
        m.ip = spec::Ipv4Cidr::parse(*ip);
    }
    if (auto gw = stringField(o, "gateway")) {
        m.gateway = spec::Ipv4Address::parse(*gw);
    }
    m.bridge = stringField(o, "bridge").value_or("");
    return m;
}

}  // namespace chainvisor::hosts::lxc
