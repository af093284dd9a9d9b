// Enode URLs, how Besu names a peer: enode://<128 hex digits of the public key>@<ip>:<port>,
// with ?discport=N when discovery listens on another UDP port. Hostnames work in Besu only with
// its DNS flags, so only IPv4 addresses are made and accepted here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "nodes/besu/node_key.h"

namespace chainvisor::nodes::besu {

struct Enode {
    PublicKey id;
    std::string ip;  // dotted IPv4
    int port = 30303;
    std::optional<int> discoveryPort;  // only when it differs from `port`

    std::string str() const;
    friend bool operator==(const Enode&, const Enode&) = default;
};

struct ParsedEnode {
    std::optional<Enode> enode;
    std::string error;  // what is wrong; what is accepted
};

ParsedEnode parseEnode(std::string_view text);

}  // namespace chainvisor::nodes::besu
