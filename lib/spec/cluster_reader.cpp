#include "spec/cluster_reader.h"

#include "spec/formats.h"
#include "spec/secret_file.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {

using namespace std::chrono_literals;

void ClusterReader::read() {
    const Field root = r_.root();
    if (root.kind() != yaml::Kind::Mapping) {
        r_.error(root.where, "",
                 "expected a mapping with apiVersion: chainvisor/v1 at the top level, got " +
                     yaml::describe(root.value()));
        return;
    }
    MappingReader top(r_, root);
    // Asked for in the documented order, so "accepted: …" lists them that way.
    const auto apiVersion = top.require("apiVersion");
    const auto name = top.require("name");
    const auto hosts = top.require("hosts");
    const auto defaults = top.get("defaults");
    const auto networks = top.require("networks");
    const auto nodes = top.require("nodes");
    const auto policy = top.get("policy");
    top.ignoreKeysStartingWith("x-");  // free-form: somewhere to define YAML anchors
    top.finish();

    if (apiVersion) {
        if (auto text = r_.string(*apiVersion); text && *text != kApiVersion) {
            r_.error(*apiVersion,
                     yaml::quote(*text) +
                         " is not a supported apiVersion; accepted: " + std::string(kApiVersion));
        }
    }
    if (name) {
        if (auto text = readName(*name, 31)) {
            cluster_.name = *text;
        }
    }
    // Read in dependency order: hosts take policy's defaults, nodes take defaults' and refer
    // to hosts and networks.
    if (policy) {
        readPolicy(*policy);
    }
    if (defaults) {
        readDefaults(*defaults);
    }
    if (hosts) {
        readHosts(*hosts);
    }
    if (networks) {
        readNetworks(*networks);
    }
    if (nodes) {
        readNodes(*nodes);
    }
}

void ClusterReader::readDefaults(const Field& field) {
    MappingReader m(r_, field);
    auto& d = cluster_.defaults;
    if (auto f = m.get("osTemplate")) {
        if (auto text = r_.string(*f)) {
            d.osTemplate = *text;
        }
    }
    if (auto f = m.get("storage")) {
        d.storage = readStorage(*f).value_or(d.storage);
    }
    if (auto f = m.get("bridge")) {
        d.bridge = readBridge(*f).value_or(d.bridge);
    }
    if (auto f = m.get("resources")) {
        readResources(*f, d.resources);
    }
    m.finish();
}

void ClusterReader::readResources(const Field& field, Resources& into) {
    MappingReader m(r_, field);
    if (auto f = m.get("cores")) {
        readInt(*f, 1, 512, into.cores);
    }
    if (auto f = m.get("memoryMiB")) {
        readInt(*f, 16, 4'194'304, into.memoryMiB);
    }
    if (auto f = m.get("swapMiB")) {
        readInt(*f, 0, 4'194'304, into.swapMiB);
    }
    if (auto f = m.get("diskGiB")) {
        readInt(*f, 1, 65'536, into.diskGiB);
    }
    m.finish();
}

void ClusterReader::readPolicy(const Field& field) {
    MappingReader m(r_, field);
    auto& p = cluster_.policy;
    if (auto f = m.get("resyncInterval")) {
        if (auto d = r_.duration(*f, 1s, 24h)) {
            p.resyncInterval = *d;
        }
    }
    if (auto f = m.get("probeInterval")) {
        if (auto d = r_.duration(*f, 1s, 1h)) {
            p.probeInterval = *d;
        }
    }
    if (auto f = m.get("budgets")) {
        readBudgets(*f);
    }
    if (auto f = m.get("deletion")) {
        if (auto i = r_.choice(*f, {"orphan", "delete"})) {
            p.deletion = *i == 0 ? DeletionPolicy::Orphan : DeletionPolicy::Delete;
        }
    }
    if (auto f = m.get("snapshotBeforeDisruptive")) {
        if (auto b = r_.boolean(*f)) {
            p.snapshotBeforeDisruptive = *b;
        }
    }
    if (auto f = m.get("healthGate")) {
        readHealthGate(*f);
    }
    m.finish();
}

void ClusterReader::readBudgets(const Field& field) {
    MappingReader m(r_, field);
    auto& b = cluster_.policy.budgets;
    if (auto f = m.get("validatorsDisrupted")) {
        readInt(*f, 0, 1000, b.validatorsDisrupted);
    }
    if (auto f = m.get("perHostConcurrent")) {
        readInt(*f, 1, 64, b.perHostConcurrent);
    }
    if (auto f = m.get("globalConcurrent")) {
        readInt(*f, 1, 1024, b.globalConcurrent);
    }
    m.finish();
}

void ClusterReader::readHealthGate(const Field& field) {
    MappingReader m(r_, field);
    auto& g = cluster_.policy.healthGate;
    if (auto f = m.get("timeout")) {
        if (auto d = r_.duration(*f, 10s, 24h)) {
            if (d->count() % 1000 != 0) {
                r_.error(*f, f->value().text + " is not a whole number of seconds; e.g. 10m");
            } else {
                g.timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
            }
        }
    }
    if (auto f = m.get("minPeers")) {
        readInt(*f, 0, 1000, g.minPeers);
    }
    if (auto f = m.get("maxBlocksBehind")) {
        readInt(*f, 0, 100'000, g.maxBlocksBehind);
    }
    m.finish();
}

std::optional<std::string> ClusterReader::readItemName(const std::optional<Field>& field,
                                                       ReadFacts::Item& facts) {
    if (!field) {
        return std::nullopt;
    }
    if (field->kind() == yaml::Kind::Scalar) {
        facts.rawName = field->value().text;  // for references, valid or not
    }
    auto name = readName(*field, 63);
    facts.nameValid = name.has_value();
    return name;
}

std::optional<std::string> ClusterReader::readName(const Field& field, std::size_t maxLength) {
    auto text = r_.string(field);
    if (!text) {
        return std::nullopt;
    }
    if (!isName(*text, maxLength)) {
        r_.error(field, yaml::quote(*text) +
                            " is not a valid name; accepted: lower-case letters, digits and '-', "
                            "starting with a letter, at most " +
                            std::to_string(maxLength) + " characters");
        return std::nullopt;
    }
    return text;
}

std::optional<std::string> ClusterReader::readAbsolutePath(const Field& field, bool secret) {
    auto text = r_.string(field);
    if (!text) {
        return std::nullopt;
    }
    if (!isAbsolutePath(*text)) {
        r_.error(field, (secret ? std::string(kNotShown) : yaml::quote(*text)) +
                            " is not an absolute path; accepted: a path starting with '/', "
                            "without '.' or '..' parts");
        return std::nullopt;
    }
    return text;
}

std::optional<std::string> ClusterReader::readSecretFile(const Field& field) {
    auto path = readAbsolutePath(field, true);
    if (path) {
        checkSecretFile(r_, field, *path, files_);
    }
    return path;
}

std::optional<std::string> ClusterReader::readStorage(const Field& field) {
    auto text = r_.string(field);
    if (text && !isStorageId(*text)) {
        r_.error(field, yaml::quote(*text) +
                            " is not a storage id; accepted: a letter, then letters, digits, '_', "
                            "'.' or '-', e.g. local-lvm");
        return std::nullopt;
    }
    return text;
}

std::optional<std::string> ClusterReader::readBridge(const Field& field) {
    auto text = r_.string(field);
    if (text && !isInterfaceName(*text)) {
        r_.error(field, yaml::quote(*text) +
                            " is not a network interface name; accepted: 1 to 15 letters, digits, "
                            "'_', '.' or '-', e.g. vmbr0");
        return std::nullopt;
    }
    return text;
}

bool ClusterReader::readInt(const Field& field, std::int64_t min, std::int64_t max, int& into) {
    auto value = r_.integer(field, min, max);
    if (value) {
        into = static_cast<int>(*value);
    }
    return value.has_value();
}

}  // namespace chainvisor::spec::detail
