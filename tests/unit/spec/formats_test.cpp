// The string formats of formats.h, table by table.
#include "spec/formats.h"

#include <catch2/catch.hpp>

using namespace chainvisor::spec::detail;

TEST_CASE("Names, labels and identifiers", "[spec][formats]") {
    CHECK(isName("devnet", 63));
    CHECK(isName("a", 63));
    CHECK(isName("val-1", 63));
    CHECK(isName(std::string(31, 'a'), 31));
    CHECK_FALSE(isName(std::string(32, 'a'), 31));
    for (const char* bad : {"", "1val", "Val", "val_1", "-val", "val.1", "vål"}) {
        INFO(bad);
        CHECK_FALSE(isName(bad, 63));
    }

    CHECK(isPveNodeName("pve1"));
    CHECK(isPveNodeName("PVE-1"));
    CHECK(isPveNodeName("1pve"));
    CHECK_FALSE(isPveNodeName("-pve"));
    CHECK_FALSE(isPveNodeName("pve.example"));

    CHECK(isHostnameLabel("val1"));
    CHECK(isHostnameLabel("RPC-One"));
    CHECK(isHostnameLabel(std::string(63, 'a')));
    CHECK_FALSE(isHostnameLabel(std::string(64, 'a')));
    CHECK_FALSE(isHostnameLabel("-a"));
    CHECK_FALSE(isHostnameLabel("a-"));
    CHECK_FALSE(isHostnameLabel("a.b"));

    CHECK(isDnsName("pve1.example.com"));
    CHECK(isDnsName("localhost"));
    CHECK_FALSE(isDnsName("10.0.0.300"));  // a mistyped address, not a name
    CHECK_FALSE(isDnsName("a..b"));
    CHECK_FALSE(isDnsName("a.b."));
    CHECK_FALSE(isDnsName("under_score.example.com"));

    CHECK(isInterfaceName("vmbr0"));
    CHECK(isInterfaceName("cvbr0"));
    CHECK(isInterfaceName("eth0.100"));
    CHECK_FALSE(isInterfaceName("a-very-long-bridge"));  // 16 characters
    CHECK_FALSE(isInterfaceName("br 0"));

    CHECK(isEnvName("PVE_TOKEN"));
    CHECK(isEnvName("_X1"));
    CHECK_FALSE(isEnvName("pve_token"));
    CHECK_FALSE(isEnvName("1X"));

    CHECK(isAbsolutePath("/etc/chainvisor/pve-token"));
    CHECK_FALSE(isAbsolutePath("etc/chainvisor"));
    CHECK_FALSE(isAbsolutePath("/etc/../shadow"));
    CHECK_FALSE(isAbsolutePath("/etc/./x"));
    CHECK_FALSE(isAbsolutePath(""));

    CHECK(isConfigKey("min-gas-price"));
    CHECK(isConfigKey("2fa"));
    CHECK_FALSE(isConfigKey("Logging"));
    CHECK_FALSE(isConfigKey("--logging"));
    CHECK_FALSE(isConfigKey("a_b"));

    CHECK(isLabelKey("region"));
    CHECK(isLabelKey("app.kubernetes.io/name"));
    CHECK_FALSE(isLabelKey("Region"));
    CHECK_FALSE(isLabelKey("-x"));
    CHECK_FALSE(isLabelKey(std::string(64, 'a')));

    CHECK(isStorageId("local-lvm"));
    CHECK_FALSE(isStorageId("1local"));

    CHECK(isUserName("root"));
    CHECK(isUserName("chain_visor"));
    CHECK_FALSE(isUserName("Root"));

    CHECK(isTokenId("root@pam!chainvisor"));
    CHECK(isTokenId("chainvisor@pve!bitcell"));
    for (const char* bad : {"root@pam", "root!x", "root@pam!", "@pam!x", "root@p!x", "root@pam!x!y",
                            "root@pam!1x", "ro ot@pam!x"}) {
        INFO(bad);
        CHECK_FALSE(isTokenId(bad));
    }
}

TEST_CASE("Proxmox API URLs are https, /api2/json, port 8006 by default", "[spec][formats]") {
    CHECK(checkApiUrl("https://pve1.example.com:8006/api2/json").value ==
          "https://pve1.example.com:8006/api2/json");
    CHECK(checkApiUrl("https://pve1.example.com").value ==
          "https://pve1.example.com:8006/api2/json");
    CHECK(checkApiUrl("https://10.0.0.1:443/").value == "https://10.0.0.1:443/api2/json");
    CHECK(checkApiUrl("https://pve1.example.com/api2/json/").value ==
          "https://pve1.example.com:8006/api2/json");

    const auto error = [](const char* url) { return checkApiUrl(url).error; };
    CHECK(error("http://pve1.example.com:8006/api2/json") ==
          "only https is accepted (the Proxmox VE API listens on https, port 8006)");
    CHECK(error("pve1.example.com").rfind("not an https URL", 0) == 0);
    CHECK(error("https://pve1.example.com/api/json") ==
          "the path must be /api2/json, got '/api/json'");
    CHECK(error("https://root:pw@pve1.example.com/").rfind("credentials in a URL", 0) == 0);
    CHECK(error("https://[fd00::1]:8006/").rfind("IPv6 is not supported yet", 0) == 0);
    CHECK(error("https://pve1.example.com:0/").rfind("the port is not a number", 0) == 0);
    CHECK(error("https://pve1.example.com:65536/").rfind("the port is not a number", 0) == 0);
    CHECK(error("https://pve1.example.com:/").rfind("the port is not a number", 0) == 0);
    CHECK(error("https://pve1.example.com/api2/json?x=1").rfind("a query or fragment", 0) == 0);
    CHECK(error("https:///api2/json").rfind("the URL has no host", 0) == 0);
    CHECK(error("https://pve_1/").rfind("the host 'pve_1' is not a DNS name", 0) == 0);
}

TEST_CASE("Download URLs, fingerprints and checksums", "[spec][formats]") {
    CHECK(checkDownloadUrl("https://example.com/besu-26.1.0.tar.gz").ok());
    CHECK(checkDownloadUrl("http://10.0.0.5:8080/besu.tar.gz").ok());
    CHECK_FALSE(checkDownloadUrl("ftp://example.com/besu.tar.gz").ok());
    CHECK_FALSE(checkDownloadUrl("https://user:pw@example.com/x").ok());
    CHECK_FALSE(checkDownloadUrl("https://example.com/a b").ok());
    CHECK(checkDownloadUrl("https://user:pw@example.com/x").error.find("pw") == std::string::npos);

    const std::string fp =
        "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:"
        "88:99";
    auto checked = checkFingerprint(fp);
    REQUIRE(checked.ok());
    CHECK(
        checked.value ==
        "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
        "88:99");
    CHECK_FALSE(checkFingerprint(fp.substr(3)).ok());          // 31 bytes
    CHECK_FALSE(checkFingerprint(fp + ":00").ok());            // 33 bytes
    CHECK_FALSE(checkFingerprint(std::string(64, 'a')).ok());  // no colons
    CHECK_FALSE(checkFingerprint("g" + fp.substr(1)).ok());    // not hex

    auto sum = checkSha256(std::string(32, 'A') + std::string(32, 'f'));
    REQUIRE(sum.ok());
    CHECK(sum.value == std::string(32, 'a') + std::string(32, 'f'));
    CHECK_FALSE(checkSha256(std::string(63, 'a')).ok());
    CHECK_FALSE(checkSha256(std::string(64, 'g')).ok());
}
