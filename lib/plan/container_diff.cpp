#include "plan/container_diff.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace chainvisor::plan::detail {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string ipText(const std::optional<spec::Ipv4Cidr>& ip) {
    return ip ? ip->str() : "dhcp";
}
std::string gatewayText(const std::optional<spec::Ipv4Address>& gw) {
    return gw ? gw->str() : "none";
}

}  // namespace

bool ContainerDiff::needsRestart() const {
    return std::any_of(changes.begin(), changes.end(),
                       [](const FieldChange& c) { return !c.live; });
}

std::vector<FieldChange> ContainerDiff::liveChanges() const {
    std::vector<FieldChange> out;
    std::copy_if(changes.begin(), changes.end(), std::back_inserter(out),
                 [](const FieldChange& c) { return c.live; });
    return out;
}

std::string desiredHostname(const spec::Node& node) {
    return node.hostname.empty() ? node.name : node.hostname;
}

ContainerDiff diffContainer(const spec::Node& desired, const ObservedContainer& observed) {
    ContainerDiff diff;
    auto add = [&](std::string field, std::string from, std::string to, bool live) {
        diff.changes.push_back(FieldChange{std::move(field), std::move(from), std::move(to), live});
    };
    const spec::Resources& want = desired.resources;
    const spec::Resources& have = observed.resources;
    if (want.memoryMiB != have.memoryMiB) {
        add("memory", std::to_string(have.memoryMiB), std::to_string(want.memoryMiB), true);
    }
    if (want.swapMiB != have.swapMiB) {
        add("swap", std::to_string(have.swapMiB), std::to_string(want.swapMiB), true);
    }
    if (want.cores != have.cores) {
        add("cores", std::to_string(have.cores), std::to_string(want.cores), false);
    }
    if (const std::string hostname = desiredHostname(desired);
        !equalsIgnoringCase(hostname, observed.hostname)) {
        add("hostname", observed.hostname, hostname, false);
    }
    if (desired.ip != observed.ip) {
        add("ip", ipText(observed.ip), ipText(desired.ip), false);
    }
    if (desired.gateway != observed.gateway) {
        add("gateway", gatewayText(observed.gateway), gatewayText(desired.gateway), false);
    }
    // An unresolved (empty) bridge in the spec means "whatever the host uses".
    if (!desired.bridge.empty() && desired.bridge != observed.bridge) {
        add("bridge", observed.bridge, desired.bridge, false);
    }
    diff.observedDiskGiB = have.diskGiB;
    if (want.diskGiB > have.diskGiB) {
        diff.growDiskTo = want.diskGiB;
    } else if (want.diskGiB < have.diskGiB) {
        diff.shrinkDiskTo = want.diskGiB;
    }
    return diff;
}

std::string describeChange(const FieldChange& change, bool running) {
    if (change.field == "owner") {
        return "take ownership (adopt: true): mark as " + change.to;
    }
    std::string unit;
    if (change.field == "memory" || change.field == "swap") {
        unit = " MiB";
    } else if (change.field == "disk") {
        unit = " GiB";
    }
    std::string text = change.field + " " + (change.from.empty() ? "none" : change.from) + " → " +
                       change.to + unit;
    if (running) {
        text += change.live ? " (live)" : " (restart)";
    }
    return text;
}

}  // namespace chainvisor::plan::detail
