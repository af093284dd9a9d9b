#include "credential_probe.h"

#include <catch2/catch.hpp>
#include <map>

namespace {

using chainvisor::daemon::CredentialFileProbe;
using chainvisor::spec::FileProbe;

struct Files final : FileProbe {
    std::map<std::string, Info> files;
    std::optional<Info> stat(const std::string& path) const override {
        auto it = files.find(path);
        return it == files.end() ? std::nullopt : std::optional<Info>(it->second);
    }
};

}  // namespace

TEST_CASE("a credential path is checked at its source outside the service", "[credentials]") {
    Files files;
    files.files["/etc/chainvisor/credentials/pve-token"] = {true, 0600};
    files.files["/etc/other"] = {true, 0644};
    const CredentialFileProbe probe(files);

    const auto token = probe.stat("/run/credentials/chainvisord.service/chainvisor_pve-token");
    REQUIRE(token);
    CHECK(token->mode == 0600);
    // Only what LoadCredential=chainvisor:/etc/chainvisor/credentials hands over.
    CHECK_FALSE(probe.stat("/run/credentials/chainvisord.service/chainvisor_missing"));
    CHECK_FALSE(probe.stat("/run/credentials/chainvisord.service/other_pve-token"));
    CHECK_FALSE(probe.stat("/run/credentials/chainvisord.service/chainvisor_../pve-token"));
    CHECK_FALSE(probe.stat("/run/credentials/chainvisord.service/chainvisor_"));
    // Anything else is what it is.
    CHECK(probe.stat("/etc/other")->mode == 0644);
    CHECK_FALSE(probe.stat("/etc/chainvisor/credentials/nope"));

    // Inside the service the real file wins.
    files.files["/run/credentials/chainvisord.service/chainvisor_pve-token"] = {true, 0400};
    CHECK(probe.stat("/run/credentials/chainvisord.service/chainvisor_pve-token")->mode == 0400);
}
