// Fingerprint parsing and formatting, and the trust settings a client refuses up front.
#include "net/tls_trust.h"

#include <catch2/catch.hpp>

#include "net/https_client.h"
#include "test_certs.h"

namespace {

using Catch::Matchers::Contains;
using chainvisor::net::formatFingerprint;
using chainvisor::net::HttpsClient;
using chainvisor::net::HttpsEndpoint;
using chainvisor::net::parseFingerprint;
using chainvisor::net::TlsTrust;

constexpr const char* kUpper =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";

}  // namespace

TEST_CASE("parseFingerprint reads colon-hex in any case and formats upper-case", "[net][tls]") {
    const auto upper = parseFingerprint(kUpper);
    REQUIRE(upper);
    CHECK(formatFingerprint(*upper) == kUpper);
    std::string lower = kUpper;
    for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const auto fromLower = parseFingerprint(lower);
    REQUIRE(fromLower);
    CHECK(*fromLower == *upper);
    std::string bare;
    for (char c : std::string(kUpper)) {
        if (c != ':') {
            bare += c;
        }
    }
    const auto fromBare = parseFingerprint(bare);
    REQUIRE(fromBare);
    CHECK(*fromBare == *upper);
}

TEST_CASE("parseFingerprint refuses malformed values", "[net][tls]") {
    std::string text = kUpper;
    CHECK_FALSE(parseFingerprint(""));
    CHECK_FALSE(parseFingerprint(text.substr(3)));                        // 31 bytes
    CHECK_FALSE(parseFingerprint(text + ":00"));                          // 33 bytes
    CHECK_FALSE(parseFingerprint(std::string(text).replace(2, 1, "-")));  // wrong separator
    CHECK_FALSE(parseFingerprint(std::string(text).replace(0, 1, "G")));  // not hex
}

TEST_CASE("HttpsClient refuses unusable trust settings at construction", "[net][tls]") {
    const HttpsEndpoint endpoint{"127.0.0.1", 8006};
    CHECK_THROWS_WITH(HttpsClient(endpoint, TlsTrust{"/etc/ssl/certs/ca-certificates.crt", kUpper}),
                      Contains("not both"));
    CHECK_THROWS_WITH(HttpsClient(endpoint, TlsTrust{"", "AB:CD"}),
                      Contains("not a SHA-256 fingerprint") && Contains("AB:CD"));
    CHECK_THROWS_WITH(HttpsClient(endpoint, TlsTrust{"/nonexistent/ca.pem", ""}),
                      Contains("/nonexistent/ca.pem") && Contains("does not exist"));
    chainvisor::net::test::TempFile notPem("this is not a certificate\n");
    CHECK_THROWS_WITH(HttpsClient(endpoint, TlsTrust{notPem.path(), ""}),
                      Contains(notPem.path()) && Contains("no usable PEM certificate"));
    CHECK_THROWS_WITH(HttpsClient(HttpsEndpoint{"", 8006}, TlsTrust{}), Contains("no host"));
    CHECK_NOTHROW(HttpsClient(endpoint, TlsTrust{}));
    CHECK_NOTHROW(HttpsClient(endpoint, TlsTrust{"", kUpper}));
}
