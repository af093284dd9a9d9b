// parseHttpsUrl: the endpoint and base path of an API URL, and clear refusals.
#include "net/https_url.h"

#include <catch2/catch.hpp>

namespace {

using chainvisor::net::describeEndpoint;
using chainvisor::net::HttpsEndpoint;
using chainvisor::net::parseHttpsUrl;

}  // namespace

TEST_CASE("parseHttpsUrl splits host, port and base path", "[net][url]") {
    const auto url = parseHttpsUrl("https://pve1.example.com:8006/api2/json");
    REQUIRE(url.ok());
    CHECK(url.endpoint.host == "pve1.example.com");
    CHECK(url.endpoint.port == 8006);
    CHECK(url.basePath == "/api2/json");
}

TEST_CASE("parseHttpsUrl defaults the port to Proxmox's and trims trailing slashes", "[net][url]") {
    auto url = parseHttpsUrl("HTTPS://10.0.0.5/api2/json/");
    REQUIRE(url.ok());
    CHECK(url.endpoint.host == "10.0.0.5");
    CHECK(url.endpoint.port == 8006);
    CHECK(url.basePath == "/api2/json");

    url = parseHttpsUrl("https://pve1:443");
    REQUIRE(url.ok());
    CHECK(url.endpoint.port == 443);
    CHECK(url.basePath.empty());

    url = parseHttpsUrl("https://pve1/", 8443);
    REQUIRE(url.ok());
    CHECK(url.endpoint.port == 8443);
    CHECK(url.basePath.empty());
}

TEST_CASE("parseHttpsUrl accepts a bracketed IPv6 address", "[net][url]") {
    const auto url = parseHttpsUrl("https://[fd00::5]:8006/api2/json");
    REQUIRE(url.ok());
    CHECK(url.endpoint.host == "fd00::5");
    CHECK(url.endpoint.port == 8006);
    CHECK(describeEndpoint(url.endpoint) == "[fd00::5]:8006");
    CHECK(describeEndpoint(HttpsEndpoint{"pve1", 8006}) == "pve1:8006");
    CHECK_FALSE(parseHttpsUrl("https://[fd00::5/api2/json").ok());
    CHECK_FALSE(parseHttpsUrl("https://[not-v6]:8006").ok());
}

TEST_CASE("parseHttpsUrl refuses what it cannot use, saying why", "[net][url]") {
    using Catch::Matchers::Contains;
    CHECK_THAT(parseHttpsUrl("").error, Contains("empty"));
    CHECK_THAT(parseHttpsUrl("pve1:8006").error, Contains("no scheme"));
    CHECK_THAT(parseHttpsUrl("http://pve1:8006/api2/json").error, Contains("only https"));
    CHECK_THAT(parseHttpsUrl("https:///api2/json").error, Contains("no host"));
    CHECK_THAT(parseHttpsUrl("https://:8006").error, Contains("no host"));
    CHECK_THAT(parseHttpsUrl("https://pve1:0").error, Contains("1 to 65535"));
    CHECK_THAT(parseHttpsUrl("https://pve1:65536").error, Contains("1 to 65535"));
    CHECK_THAT(parseHttpsUrl("https://pve1:80a").error, Contains("1 to 65535"));
    CHECK_THAT(parseHttpsUrl("https://pve1:").error, Contains("empty"));
    CHECK_THAT(parseHttpsUrl("https://pve1/api2/json?x=1").error, Contains("query"));
    CHECK_THAT(parseHttpsUrl("https://pve1/api2/json#top").error, Contains("fragment"));
    CHECK_THAT(parseHttpsUrl("https://pve 1/").error, Contains("spaces"));
    CHECK_THAT(parseHttpsUrl("https://pve1/").error, Catch::Matchers::Equals(""));
    // Every refusal says what is accepted.
    CHECK_THAT(parseHttpsUrl("https://pve1:0").error, Contains("accepted: https://HOST"));
}

TEST_CASE("parseHttpsUrl never echoes credentials in the URL", "[net][url]") {
    const auto url = parseHttpsUrl("https://root@pam:s3cretpassw0rd@pve1:8006/api2/json");
    REQUIRE_FALSE(url.ok());
    CHECK_THAT(url.error, Catch::Matchers::Contains("credentials"));
    CHECK_THAT(url.error, !Catch::Matchers::Contains("s3cretpassw0rd"));
}
