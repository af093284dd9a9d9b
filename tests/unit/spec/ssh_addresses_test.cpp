// hosts[].ssh: which address reaches which Proxmox node. pct acts only on the node it runs on,
// so each pveNode needs an address of its own.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace chainvisor::spec::test {
namespace {

std::string withSsh(const std::string& pveNodes, const std::string& ssh) {
    return R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: pve
    type: proxmox
    pveNodes: )" +
           pveNodes + R"(
    ssh: )" +
           ssh + R"(
networks:
  - {name: web, kind: service, version: 1.0.0, service: {command: [/bin/true]}}
nodes: []
)";
}

std::vector<std::string> errors(const std::string& text) {
    FakeFileProbe files;
    files.add("/k/ssh", 0600);
    std::vector<std::string> out;
    for (const auto& line : withoutFile(loadText(text, files))) {
        if (line.find("warning") == std::string::npos) {
            out.push_back(line);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("one address serves a single pveNode", "[spec][ssh]") {
    FakeFileProbe files;
    files.add("/k/ssh", 0600);
    const auto result = loadText(
        withSsh("[pve1]", "{address: 10.0.0.1, keyFile: /k/ssh, trustOnFirstUse: true}"), files);
    REQUIRE(result.ok());
    const auto& ssh = *result.cluster->hosts[0].ssh;
    CHECK(ssh.addressOf("pve1") == "10.0.0.1");
    CHECK(ssh.nodeAddresses.empty());
}

TEST_CASE("nodeAddresses gives each pveNode its own address", "[spec][ssh]") {
    FakeFileProbe files;
    files.add("/k/ssh", 0600);
    const auto result = loadText(
        withSsh("[pve1, pve2, pve3]",
                "{address: 10.0.0.1, nodeAddresses: {pve2: 10.0.0.2, pve3: pve3.example.com}, "
                "keyFile: /k/ssh, trustOnFirstUse: true}"),
        files);
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    const auto& ssh = *result.cluster->hosts[0].ssh;
    CHECK(ssh.addressOf("pve1") == "10.0.0.1");
    CHECK(ssh.addressOf("pve2") == "10.0.0.2");
    CHECK(ssh.addressOf("pve3") == "pve3.example.com");

    // Without `address` when every node is listed.
    const auto all = loadText(withSsh("[pve1, pve2]",
                                      "{nodeAddresses: {pve1: 10.0.0.1, pve2: 10.0.0.2}, "
                                      "keyFile: /k/ssh, trustOnFirstUse: true}"),
                              files);
    REQUIRE(all.ok());
    CHECK(all.cluster->hosts[0].ssh->address.empty());
    CHECK(all.cluster->hosts[0].ssh->addressOf("pve2") == "10.0.0.2");
}

TEST_CASE("two pveNodes cannot share an SSH address", "[spec][ssh]") {
    const auto lines = errors(
        withSsh("[pve1, pve2]", "{address: 10.0.0.1, keyFile: /k/ssh, trustOnFirstUse: true}"));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "7:20: hosts[0].ssh.address: pveNodes 'pve1' and 'pve2' are both reached at "
          "'10.0.0.1'; pct only sees the containers of the node it runs on, so give each node "
          "its own address in nodeAddresses");

    const auto viaMap =
        errors(withSsh("[pve1, pve2]",
                       "{address: 10.0.0.1, nodeAddresses: {pve2: 10.0.0.1}, keyFile: /k/ssh, "
                       "trustOnFirstUse: true}"));
    REQUIRE(viaMap.size() == 1);
    CHECK(viaMap[0].find("hosts[0].ssh.nodeAddresses: pveNodes 'pve1' and 'pve2' are both "
                         "reached at '10.0.0.1'") != std::string::npos);
}

TEST_CASE("a pveNode without an address, and addresses of unknown nodes, are errors",
          "[spec][ssh]") {
    const auto missing = errors(
        withSsh("[pve1, pve2]",
                "{nodeAddresses: {pve1: 10.0.0.1}, keyFile: /k/ssh, trustOnFirstUse: true}"));
    REQUIRE(missing.size() == 1);
    CHECK(missing[0] ==
          "7:10: hosts[0].ssh: missing required key 'address'; pveNode 'pve2' has no entry in "
          "nodeAddresses, so it is reached at 'address'");

    const auto unknown = errors(withSsh(
        "[pve1, pve2]",
        "{address: 10.0.0.1, nodeAddresses: {pve3: 10.0.0.3, pve2: 10.0.0.2}, keyFile: /k/ssh, "
        "trustOnFirstUse: true}"));
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0].find("hosts[0].ssh.nodeAddresses.pve3: 'pve3' is not one of this host's "
                          "pveNodes; did you mean 'pve1'?") != std::string::npos);

    const auto bad = errors(withSsh("[pve1]",
                                    "{nodeAddresses: {pve1: 'not an address!'}, keyFile: /k/ssh, "
                                    "trustOnFirstUse: true}"));
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].find("'not an address!' is not an IPv4 address or a DNS name") !=
          std::string::npos);
}

}  // namespace chainvisor::spec::test
