// static-nodes.json and the nodes-allowlist: the whole files, sorted and without duplicates.
#include "nodes/besu/peer_files.h"

#include <catch2/catch.hpp>

namespace chainvisor::nodes::besu {
namespace {

Enode enodeOf(std::uint8_t id, std::string ip) {
    Enode enode;
    enode.id.bytes.fill(id);
    enode.ip = std::move(ip);
    return enode;
}

const std::string kAa(128, 'a');
const std::string kBb(128, 'b');

}  // namespace

TEST_CASE("static-nodes.json lists enodes sorted, once each", "[besu][peers]") {
    const std::vector<Enode> peers = {enodeOf(0xbb, "10.99.0.12"), enodeOf(0xaa, "10.99.0.11"),
                                      enodeOf(0xbb, "10.99.0.12")};
    CHECK(renderStaticNodes(peers) == "[\n  \"enode://" + kAa +
                                          "@10.99.0.11:30303\",\n  \"enode://" + kBb +
                                          "@10.99.0.12:30303\"\n]\n");
    CHECK(renderStaticNodes({}) == "[]\n");
}

TEST_CASE("the permissions file allows the same enodes", "[besu][peers]") {
    const std::vector<Enode> peers = {enodeOf(0xbb, "10.99.0.12"), enodeOf(0xaa, "10.99.0.11")};
    CHECK(renderNodesPermissions(peers) ==
          "# Written by chainvisord; changes here are overwritten.\n"
          "nodes-allowlist=[\"enode://" +
              kAa + "@10.99.0.11:30303\",\"enode://" + kBb + "@10.99.0.12:30303\"]\n");
}

}  // namespace chainvisor::nodes::besu
