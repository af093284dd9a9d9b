// loadClusterText / loadClusterFile behaviour that is not about one bad value: ordering,
// completeness, locations recorded in the SourceMap, warnings versus errors.
#include "spec/yaml_document.h"
#include "test_support.h"

using namespace chainvisor::spec;
using namespace chainvisor::spec::test;

TEST_CASE("A good file loads with its source locations recorded", "[spec][load]") {
    const auto result = loadText(fourValidators());
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    const SourceMap& source = result.cluster->source;
    // nodes[2] is on line 15: "  - {name: val3, …, vmid: 103}".
    CHECK(source.find("nodes[2]").line == 15);
    CHECK(source.find("nodes[2].vmid").line == 15);
    CHECK(source.find("nodes[2].vmid").column == 71);
    CHECK(source.find("networks[0].chainId").line == 9);
    CHECK(source.find("networks[0].chainId").column == 14);
    CHECK(source.find("networks[0].source.path").line == 11);
    CHECK(source.find("hosts[0].type").line == 5);
    // Unwritten fields fall back to their parent's location.
    CHECK(source.find("nodes[2].ports.p2p").line == 15);
    CHECK(source.find("policy.budgets").line == 0);
}

TEST_CASE("Every problem is reported in one run, sorted by location", "[spec][load]") {
    const std::string text = R"(apiVersion: chainvisor/v1
name: test
hosts:
  - {name: local, type: local}
networks:
  - {name: devnet, kind: besu, chainId: 1337, version: 26.1.0, source: {path: /b.tar.gz}}
nodes:
  - {name: val1, network: devnet, role: validator, host: local, vmid: 101}
  - {name: val2, network: devnet, role: validator, host: local, vmid: 101}
  - {name: val3, network: devnet, role: validatr, host: local, vmid: 10}
  - {name: val4, network: devnet, role: validator, host: lcal, vmid: 104}
  - {name: val5, network: devnt, role: validator, host: local, vmid: 105}
  - {name: val5, network: devnet, role: validator, host: local, vmid: 106, ip: 10.0.0.1/33}
policy: {budgets: {globalConcurrent: 0}, resyncInterval: 0s}
)";
    const auto result = loadText(text);
    CHECK_FALSE(result.ok());
    const std::vector<std::string> expected = {
        "9:71: nodes[1].vmid: 101 is already used by nodes[0] (line 8)",
        "10:41: nodes[2].role: unknown value 'validatr'; did you mean 'validator'?",
        "10:70: nodes[2].vmid: 10 is out of range; accepted: 100 to 999999999",
        "11:58: nodes[3].host: unknown host 'lcal'; did you mean 'local'?",
        "12:27: nodes[4].network: unknown network 'devnt'; did you mean 'devnet'?",
        "13:12: nodes[5].name: 'val5' is already used by nodes[4] (line 12)",
        "13:80: nodes[5].ip: '10.0.0.1/33' is not an IPv4 address with a prefix length; "
        "accepted: e.g. 10.10.0.11/24",
        "14:38: policy.budgets.globalConcurrent: 0 is out of range; accepted: 1 to 1024",
        "14:58: policy.resyncInterval: 0s is out of range; accepted: 1s to 24h",
    };
    CHECK(withoutFile(result) == expected);
}

TEST_CASE("Warnings alone do not stop a load", "[spec][load]") {
    std::string text = kMinimalHead + "nodes: []\n";
    const auto result = loadText(text);
    REQUIRE(result.ok());
    CHECK(withoutFile(result) ==
          std::vector<std::string>{
              "12:8: warning: nodes: no nodes are declared; chainvisor has nothing to run"});
    CHECK(result.diagnostics[0].severity == Severity::Warning);
    CHECK(result.diagnostics[0].str() ==
          "cluster.yaml:12:8: warning: nodes: no nodes are "
          "declared; chainvisor has nothing to run");
}

TEST_CASE("A single validator is allowed but warned about, its budget resolves to 0",
          "[spec][load]") {
    const auto result = loadText(kMinimalHead +
                                 "nodes:\n  - {name: val1, network: devnet, role: "
                                 "validator, host: local, vmid: 101}\n");
    REQUIRE(result.ok());
    CHECK(withoutFile(result) ==
          std::vector<std::string>{"7:5: warning: networks[0]: network 'devnet' has 1 validator: "
                                   "no fault tolerance: f = 0; 4 or more validators tolerate one "
                                   "down"});
    CHECK(result.cluster->networks[0].validatorsDisrupted == 0);
}

TEST_CASE("Absent validators do not count towards a network's validators", "[spec][load]") {
    std::string text = fourValidators();
    text.replace(text.find("vmid: 104}"), 10, "vmid: 104, state: absent}");
    const auto result = loadText(text);
    REQUIRE(result.ok());
    REQUIRE(result.diagnostics.size() == 1);
    CHECK(result.diagnostics[0].message.find("has 3 validators") != std::string::npos);
}

TEST_CASE("Missing top-level sections are each reported", "[spec][load]") {
    const auto lines = withoutFile(loadText("apiVersion: chainvisor/v1\nname: x\n"));
    CHECK(lines == std::vector<std::string>{"1:1: missing required key 'hosts'",
                                            "1:1: missing required key 'networks'",
                                            "1:1: missing required key 'nodes'"});
    const auto typo = withoutFile(loadText(fourValidators() + "polcy: {}\n"));
    CHECK(typo == std::vector<std::string>{"17:1: polcy: unknown key; did you mean 'policy'?"});
}

TEST_CASE("Duplicate keys are reported wherever they are, the first value wins", "[spec][load]") {
    const auto lines = withoutFile(loadText(fourValidators() + R"(policy:
  deletion: orphan
  healthGate: {minPeers: 1, minPeers: 2}
  deletion: delete
)"));
    CHECK(lines == std::vector<std::string>{
                       "19:29: policy.healthGate.minPeers: duplicate key 'minPeers' (first at "
                       "line 19)",
                       "20:3: policy.deletion: duplicate key 'deletion' (first at line 18)"});
}

TEST_CASE("Keys must be strings", "[spec][load]") {
    const auto lines = withoutFile(loadText(fourValidators() + "? [a, b]\n: c\n"));
    CHECK(lines == std::vector<std::string>{"17:3: a key must be a string, got a list"});
}

TEST_CASE("Scalars of the wrong shape say what they got", "[spec][load]") {
    const auto lines = withoutFile(loadText(fourValidators() + R"(defaults:
  bridge: {a: b}
  storage: [x]
  osTemplate: ~
  resources: {cores: 1.5, memoryMiB: 0x800, swapMiB: 99999999999999999999, diskGiB: 007}
)"));
    CHECK(lines ==
          std::vector<std::string>{
              "18:11: defaults.bridge: expected a string, got a mapping",
              "19:12: defaults.storage: expected a string, got a list",
              "20:15: defaults.osTemplate: expected a string, got nothing",
              "21:22: defaults.resources.cores: expected an integer, got '1.5'; accepted: 1 to 512",
              "21:38: defaults.resources.memoryMiB: expected an integer, got '0x800'; accepted: 16 "
              "to 4194304",
              "21:54: defaults.resources.swapMiB: 99999999999999999999 is out of range; accepted: "
              "0 to 4194304",
              "21:85: defaults.resources.diskGiB: expected an integer without leading zeros, got "
              "'007'"});
}

TEST_CASE("quote() shortens and escapes what it echoes", "[spec][load]") {
    CHECK(yaml::quote("abc") == "'abc'");
    CHECK(yaml::quote("a\tb") == "'a\\x09b'");
    const std::string longText(100, 'x');
    CHECK(yaml::quote(longText) == "'" + std::string(60, 'x') + "…'");
}

TEST_CASE("Top-level keys starting with x- are free-form, a place for anchors", "[spec][load]") {
    std::string text =
        kMinimalHead + R"(x-validator: &validator {network: devnet, role: validator, host: local}
nodes:
  - {<<: *validator, name: val1, vmid: 101}
  - {<<: *validator, name: val2, vmid: 102}
  - {<<: *validator, name: val3, vmid: 103}
  - {<<: *validator, name: val4, vmid: 104}
)";
    const auto result = loadText(text);
    INFO(joined(withoutFile(result)));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    CHECK(result.cluster->nodes[3].role == Role::Validator);
    CHECK(result.cluster->nodes[3].vmid == 104);
}

TEST_CASE("A flood of problems is cut off with a count of the rest", "[spec][load]") {
    std::string text = fourValidators() + "policy:\n";
    for (int i = 0; i < 2000; ++i) {
        text += "  deletion: orphan\n";
    }
    const auto result = loadText(text);
    REQUIRE(result.diagnostics.size() == 501);
    CHECK(result.diagnostics.back().message ==
          "1499 more problems are not shown; fix the ones above and load again");
    CHECK(result.diagnostics.back().severity == Severity::Error);
}
