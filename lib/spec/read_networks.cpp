// networks: the chains, their software and their disruption budget.
#include <algorithm>
#include <array>
#include <cctype>

#include "spec/cluster_reader.h"
#include "spec/formats.h"
#include "spec/values.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {
namespace {

constexpr std::int64_t kMaxChainId = (std::int64_t{1} << 53) - 1;  // JavaScript-safe integers

std::string lowerCase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

void ClusterReader::readNetworks(const Field& field) {
    auto items = r_.list(field);
    if (!items) {
        return;
    }
    facts_.networksListed = !items->empty();
    if (items->empty()) {
        r_.error(field,
                 "at least one network is required; e.g. - {name: devnet, kind: besu, "
                 "chainId: 1337, version: 26.1.0, source: {url: …}}");
        return;
    }
    cluster_.networks.resize(items->size());
    facts_.networks.resize(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
        readNetwork((*items)[i], cluster_.networks[i], facts_.networks[i]);
    }
}

void ClusterReader::readNetwork(const Field& field, Network& network,
                                ReadFacts::NetworkFacts& facts) {
    facts.path = field.path;
    facts.where = field.where;
    MappingReader m(r_, field);
    const auto name = m.require("name");
    const auto kind = m.require("kind");
    const auto consensus = m.get("consensus");
    const auto chainId = m.get("chainId");
    const auto genesis = m.get("genesis");
    const auto version = m.require("version");
    const auto source = m.get("source");
    const auto budget = m.get("budget");
    const auto service = m.get("service");
    m.finish();
    if (!m.ok()) {
        return;
    }

    if (auto text = readItemName(name, facts)) {
        network.name = *text;
    }
    std::optional<NetworkKind> networkKind;
    if (kind) {
        if (auto i = r_.choice(*kind, {"besu", "bitcell", "service"})) {
            networkKind =
                std::array{NetworkKind::Besu, NetworkKind::Bitcell, NetworkKind::Service}[*i];
            network.kind = *networkKind;
            facts.kindValid = true;
        }
    }
    const bool besu = networkKind == NetworkKind::Besu;
    const bool isService = networkKind == NetworkKind::Service;
    // Not besu: bitcell or service, or a kind that did not read (then nothing more is claimed).
    const std::string notBesu =
        networkKind ? "a " + std::string(toString(*networkKind)) + " network" : "this network";

    network.consensus = besu || !networkKind ? Consensus::Qbft : Consensus::None;
    if (consensus) {
        if (networkKind && !besu) {
            r_.keyError(*consensus,
                        "only for kind: besu; " + notBesu + " has no consensus setting");
        } else {
            readConsensus(*consensus, network);
        }
    }

    if (chainId) {
        if (auto value = r_.integer(*chainId, 1, kMaxChainId)) {
            network.chainId = static_cast<std::uint64_t>(*value);
        }
    } else if (networkKind == NetworkKind::Besu) {
        r_.error(m.field(), "missing required key 'chainId'; e.g. chainId: 1337");
    }

    if (genesis) {
        if (networkKind && !besu) {
            r_.keyError(*genesis, "only for kind: besu; " + notBesu + " has no genesis file");
        } else {
            readGenesis(*genesis, network.genesis);
        }
    }
    if (version) {
        readVersion(*version, network);
    }
    if (source) {
        readSource(*source, network.source);
    } else if (networkKind && !isService) {
        r_.error(m.field(),
                 "missing required key 'source'; say where the release archive comes from, "
                 "e.g. source: {url: https://…/besu-26.1.0.tar.gz}");
    }
    if (service) {
        if (networkKind && !isService) {
            r_.keyError(*service, "only for kind: service");
        } else {
            network.service.emplace();
            readService(*service, *network.service);
        }
    } else if (isService) {
        r_.error(m.field(),
                 "missing required key 'service'; a service network says what runs, e.g. "
                 "service: {command: [/usr/bin/python3, -m, http.server, '8080']}");
    }
    if (budget) {
        MappingReader b(r_, *budget);
        if (auto f = b.get("validatorsDisrupted")) {
            if (auto value = r_.integer(*f, 0, 1000)) {
                facts.budget = *f;
                facts.budgetValue = static_cast<int>(*value);
            }
        }
        b.finish();
    }
}

void ClusterReader::readConsensus(const Field& field, Network& network) {
    auto text = r_.string(field);
    if (!text) {
        return;
    }
    if (lowerCase(*text) == "clique") {
        r_.error(field, "Clique was removed from Besu in 26.3.0; use qbft (accepted: qbft, ibft2)");
        return;
    }
    if (*text == "qbft") {
        network.consensus = Consensus::Qbft;
    } else if (*text == "ibft2") {
        network.consensus = Consensus::Ibft2;
    } else {
        r_.choice(field, {"qbft", "ibft2"});  // reports the unknown value with a suggestion
    }
}

void ClusterReader::readGenesis(const Field& field, GenesisSpec& genesis) {
    MappingReader m(r_, field);
    const auto file = m.get("file");
    const auto blockPeriod = m.get("blockPeriodSeconds");
    const auto epochLength = m.get("epochLength");
    const auto requestTimeout = m.get("requestTimeoutSeconds");
    m.finish();
    if (!m.ok()) {
        return;
    }
    bool valid = true;
    if (file) {
        if (auto path = readAbsolutePath(*file)) {
            genesis.file = *path;
        }
        // A given genesis file is used as is: parameters beside it would be silently ignored.
        for (const auto* f : {&blockPeriod, &epochLength, &requestTimeout}) {
            if (*f) {
                r_.keyError(**f,
                            "not used when genesis.file is set (the file decides); remove "
                            "one of the two");
            }
        }
        return;
    }
    if (blockPeriod) {
        valid = readInt(*blockPeriod, 1, 600, genesis.blockPeriodSeconds) && valid;
    }
    if (epochLength) {
        readInt(*epochLength, 1, 1'000'000'000, genesis.epochLength);
    }
    if (requestTimeout) {
        valid = readInt(*requestTimeout, 1, 600, genesis.requestTimeoutSeconds) && valid;
    }
    if (valid && (requestTimeout || blockPeriod) &&
        genesis.requestTimeoutSeconds <= genesis.blockPeriodSeconds) {
        const Field& at = requestTimeout ? *requestTimeout : *blockPeriod;
        r_.warning(
            at.where,
            childPath(field.path, requestTimeout ? "requestTimeoutSeconds" : "blockPeriodSeconds"),
            "requestTimeoutSeconds (" + std::to_string(genesis.requestTimeoutSeconds) +
                ") is not longer than blockPeriodSeconds (" +
                std::to_string(genesis.blockPeriodSeconds) +
                "): rounds time out before a block is due; use a longer request timeout");
    }
}

void ClusterReader::readVersion(const Field& field, Network& network) {
    auto text = r_.string(field);
    if (!text) {
        return;
    }
    if (auto version = Version::parse(*text)) {
        network.version = *version;
        return;
    }
    if (!text->empty() && (text->front() == 'v' || text->front() == 'V') &&
        Version::parse(text->substr(1))) {
        r_.error(field, yaml::quote(*text) +
                            " is not a version; drop the leading 'v': " + text->substr(1));
        return;
    }
    r_.error(field, yaml::quote(*text) +
                        " is not a version; accepted: MAJOR.MINOR.PATCH with an optional "
                        "-SUFFIX, e.g. 26.1.0 or 24.12.2-RC1");
}

void ClusterReader::readSource(const Field& field, SoftwareSource& source) {
    MappingReader m(r_, field);
    const auto url = m.get("url");
    const auto path = m.get("path");
    const auto sha256 = m.get("sha256");
    m.finish();
    if (!m.ok()) {
        return;
    }
    if (url) {
        if (auto text = r_.string(*url)) {
            const auto checked = checkDownloadUrl(*text);
            if (checked.ok()) {
                source.url = checked.value;
            } else {
                r_.error(*url, checked.error);
            }
        }
    }
    if (path) {
        if (auto text = readAbsolutePath(*path)) {
            source.path = *text;
        }
    }
    if (url && path) {
        r_.keyError(*path, "set either url or path, not both");
    } else if (!url && !path) {
        r_.error(m.field(),
                 "missing required key 'url' or 'path'; say where the release "
                 "archive comes from");
    }
    if (sha256) {
        if (auto text = r_.string(*sha256)) {
            const auto checked = checkSha256(*text);
            if (checked.ok()) {
                source.sha256 = checked.value;
            } else {
                r_.error(*sha256, checked.error);
            }
        }
    }
}

}  // namespace chainvisor::spec::detail
