// Secrets: secret files must be private (checked through the injected FileProbe), and a secret
// written into the file is refused without ever being repeated in a diagnostic.
#include "test_support.h"

using namespace chainvisor::spec;
using namespace chainvisor::spec::test;

namespace {

std::string proxmoxWithApi(const std::string& apiExtra) {
    return R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: pve
    type: proxmox
    pveNodes: [pve1]
    api:
      url: https://pve1.example.com:8006/api2/json
)" + apiExtra +
           R"(networks:
  - name: devnet
    kind: besu
    chainId: 1337
    version: 26.1.0
    source: {path: /var/cache/chainvisor/besu-26.1.0.tar.gz}
nodes:
  - {name: val1, network: devnet, role: validator, host: pve, vmid: 101}
  - {name: val2, network: devnet, role: validator, host: pve, vmid: 102}
  - {name: val3, network: devnet, role: validator, host: pve, vmid: 103}
  - {name: val4, network: devnet, role: validator, host: pve, vmid: 104}
)";
}

std::string withSecretFile(const std::string& path) {
    return proxmoxWithApi("      tokenId: root@pam!chainvisor\n      tokenSecretFile: " + path +
                          "\n");
}

}  // namespace

TEST_CASE("A secret file must be mode 0600 or stricter", "[spec][secrets]") {
    FakeFileProbe files;
    files.add("/s/0600", 0600).add("/s/0400", 0400).add("/s/0700", 0700);
    files.add("/s/0640", 0640).add("/s/0604", 0604).add("/s/0644", 0644).add("/s/0660", 0660);
    files.add("/s/dir", 0700, false);

    for (const char* ok : {"/s/0600", "/s/0400", "/s/0700"}) {
        INFO(ok);
        const auto result = loadText(withSecretFile(ok), files);
        INFO(joined(withoutFile(result)));
        CHECK(result.ok());
    }
    for (const auto& [path, mode] : std::vector<std::pair<std::string, std::string>>{
             {"/s/0640", "0640"}, {"/s/0604", "0604"}, {"/s/0644", "0644"}, {"/s/0660", "0660"}}) {
        const auto result = loadText(withSecretFile(path), files);
        const auto lines = withoutFile(result);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0] == "10:24: hosts[0].api.tokenSecretFile: '" + path + "' has mode " + mode +
                              ", so group or others can read it; run chmod 600 " + path);
    }
    {
        const auto lines = withoutFile(loadText(withSecretFile("/s/missing"), files));
        REQUIRE(lines.size() == 1);
        CHECK(lines[0] ==
              "10:24: hosts[0].api.tokenSecretFile: '/s/missing' does not exist or "
              "cannot be read; create it with mode 0600");
    }
    {
        const auto lines = withoutFile(loadText(withSecretFile("/s/dir"), files));
        REQUIRE(lines.size() == 1);
        CHECK(lines[0] ==
              "10:24: hosts[0].api.tokenSecretFile: '/s/dir' is not a regular file; "
              "accepted: a regular file with mode 0600 or 0400");
    }
}

TEST_CASE("The chmod advice quotes a path that needs quoting", "[spec][secrets]") {
    FakeFileProbe files;
    files.add("/s/my token", 0644);
    const auto lines = withoutFile(loadText(withSecretFile("\"/s/my token\""), files));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("run chmod 600 '/s/my token'") != std::string::npos);
}

TEST_CASE("SSH keys and node keys are secret files too", "[spec][secrets]") {
    FakeFileProbe files;
    files.add("/k/ssh", 0644).add("/k/node", 0664);
    const std::string text = R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: pve
    type: proxmox
    pveNodes: [pve1]
    ssh: {address: 10.0.0.1, keyFile: /k/ssh, trustOnFirstUse: true}
networks:
  - {name: devnet, kind: besu, chainId: 1337, version: 26.1.0, source: {path: /b.tar.gz}}
nodes:
  - {name: val1, network: devnet, role: validator, host: pve, vmid: 101, keyFile: /k/node}
  - {name: val2, network: devnet, role: validator, host: pve, vmid: 102}
  - {name: val3, network: devnet, role: validator, host: pve, vmid: 103}
  - {name: val4, network: devnet, role: validator, host: pve, vmid: 104}
)";
    const auto lines = withoutFile(loadText(text, files));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          "7:39: hosts[0].ssh.keyFile: '/k/ssh' has mode 0644, so group or others can "
          "read it; run chmod 600 /k/ssh");
    CHECK(lines[1] ==
          "11:83: nodes[0].keyFile: '/k/node' has mode 0664, so group or others can "
          "read it; run chmod 600 /k/node");
}

TEST_CASE("Inline secrets are refused and their values never appear in any diagnostic",
          "[spec][secrets]") {
    const std::vector<std::string> secrets = {
        "6f1c2b3a-SECRET-ONE-9e8d",      "SECRET-TWO-hunter2",  "SECRET-THREE-0xdeadbeef",
        "SECRET-FOUR-in-config",         "SECRET-FIVE-label",   "SECRET-SIX-pasted-token",
        "SECRET-SEVEN-url-password",     "SECRET-EIGHT-nested", "SECRET-NINE-under-unknown",
        "SECRET-TEN-in-a-list-of-values"};
    const std::string text = R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: pve
    type: proxmox
    pveNodes: [pve1]
    api:
      url: https://pve1.example.com:8006/api2/json
      tokenId: root@pam!chainvisor=)" +
                             secrets[5] + R"(
      tokenSecretEnv: PVE_TOKEN
      tokenSecret: )" + secrets[0] +
                             R"(
    ssh:
      address: 10.0.0.1
      password: ")" + secrets[1] +
                             R"("
      useAgent: true
      trustOnFirstUse: true
networks:
  - name: devnet
    kind: besu
    chainId: 1337
    version: 26.1.0
    source: {url: "https://user:)" +
                             secrets[6] + R"(@example.com/besu.tar.gz"}
    Secret: )" + secrets[7] + R"(
nodes:
  - name: val1
    network: devnet
    role: validator
    host: pve
    vmid: 101
    privateKey: )" + secrets[2] +
                             R"(
    config:
      private-key: )" + secrets[3] +
                             R"(
      TOKEN: [)" + secrets[9] +
                             R"(]
    labels:
      secret: )" + secrets[4] +
                             R"(
    extra:
      password: )" + secrets[8] +
                             R"(
)";
    const auto result = loadText(text);
    CHECK_FALSE(result.ok());
    const auto lines = withoutFile(result);
    INFO(joined(lines));
    for (const auto& d : result.diagnostics) {
        const std::string s = d.str();
        for (const auto& secret : secrets) {
            CHECK(s.find(secret) == std::string::npos);
        }
        CHECK(s.find("SECRET") == std::string::npos);
    }
    const std::string inline_ =
        "inline secrets are not accepted; put it in a file with mode 0600 and use "
        "tokenSecretFile, or use tokenSecretEnv";
    for (const auto* expected : {
             "11:7: hosts[0].api.tokenSecret: ",
             "14:7: hosts[0].ssh.password: ",
             "23:5: networks[0].Secret: ",
             "30:5: nodes[0].privateKey: ",
             "32:7: nodes[0].config.private-key: ",
             "33:7: nodes[0].config.TOKEN: ",
             "35:7: nodes[0].labels.secret: ",
             "37:7: nodes[0].extra.password: ",
         }) {
        CHECK(std::count(lines.begin(), lines.end(), expected + inline_) == 1);
    }
    CHECK(std::count(lines.begin(), lines.end(),
                     "9:16: hosts[0].api.tokenId: this looks like a whole API token including its "
                     "secret after '='; put only USER@REALM!TOKENID here and the secret in a file "
                     "(tokenSecretFile, mode 0600) or an environment variable (tokenSecretEnv)") ==
          1);
    CHECK(std::count(lines.begin(), lines.end(),
                     "22:19: networks[0].source.url: credentials in a URL are not accepted; put "
                     "secrets in files") == 1);
    CHECK(std::count(lines.begin(), lines.end(),
                     "36:5: nodes[0].extra: unknown key; accepted: "
                     "name, network, role, host, pveNode, vmid, "
                     "hostname, ip, gateway, bridge, osTemplate, "
                     "storage, … (7 more)") == 1);
    CHECK(lines.size() == 12);  // and one warning: a single validator
}

TEST_CASE("A secret pasted into a field that names one is not repeated either", "[spec][secrets]") {
    const std::string secret = "0b5c6f1e-9d2a-4c1b-8e7f-PASTED";
    const std::string text = R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: pve
    type: proxmox
    pveNodes: [pve1]
    api:
      url: https://pve1.example.com:8006/api2/json
      tokenId: )" + secret + R"(
      tokenSecretEnv: )" + secret +
                             R"(
  - name: pve2
    type: proxmox
    pveNodes: [pve1]
    api:
      url: https://pve2.example.com:8006/api2/json
      tokenId: root@pam!chainvisor
      tokenSecretFile: )" + secret +
                             R"(
    ssh: {address: 10.0.0.2, keyFile: ")" +
                             secret + R"(", trustOnFirstUse: true}
networks:
  - {name: devnet, kind: besu, chainId: 1337, version: 26.1.0, source: {path: /b.tar.gz}}
nodes:
  - {name: val1, network: devnet, role: validator, host: pve, vmid: 101, keyFile: )" +
                             secret + R"(}
  - {name: val2, network: devnet, role: validator, host: pve, vmid: 102}
  - {name: val3, network: devnet, role: validator, host: pve, vmid: 103}
  - {name: val4, network: devnet, role: validator, host: pve, vmid: 104}
)";
    const auto result = loadText(text);
    const auto lines = withoutFile(result);
    INFO(joined(lines));
    CHECK(lines.size() == 5);
    for (const auto& line : lines) {
        CHECK(line.find("PASTED") == std::string::npos);
        CHECK(line.find("0b5c") == std::string::npos);
        CHECK(line.find("the value (not shown: it may be a secret) is not ") != std::string::npos);
    }
}
