// SshClient's option checks: what cannot work is refused before any connection. (The client
// against a real sshd is in tests/integration/ssh.)
#include "net/ssh_client.h"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace {

using chainvisor::net::SshClient;
using chainvisor::net::SshOptions;

SshOptions valid() {
    SshOptions o;
    o.host = "pve1.example";
    o.port = 2222;
    o.keyFile = "/nonexistent/id_ed25519";
    o.knownHostsFile = "/nonexistent/known_hosts";
    return o;
}

}  // namespace

TEST_CASE("SshClient: the target names user, host and port, nothing connects yet", "[net][ssh]") {
    SshClient client(valid());
    CHECK(client.target() == "root@pve1.example:2222");
    CHECK(client.connectionsOpened() == 0);
    CHECK(client.idleConnections() == 0);
}

TEST_CASE("SshClient: options that cannot work are refused", "[net][ssh]") {
    auto refused = [](void (*change)(SshOptions&)) {
        auto o = valid();
        change(o);
        CHECK_THROWS_AS(SshClient(o), std::invalid_argument);
    };
    refused([](SshOptions& o) { o.host.clear(); });
    refused([](SshOptions& o) { o.user.clear(); });
    refused([](SshOptions& o) { o.keyFile.clear(); });
    refused([](SshOptions& o) { o.knownHostsFile.clear(); });
    refused([](SshOptions& o) { o.port = 0; });
    refused([](SshOptions& o) { o.port = 65536; });
    refused([](SshOptions& o) { o.maxSessions = 0; });
    refused([](SshOptions& o) { o.connectTimeout = std::chrono::milliseconds(0); });

    auto agentOnly = valid();
    agentOnly.keyFile.clear();
    agentOnly.useAgent = true;
    CHECK_NOTHROW(SshClient(agentOnly));
}

TEST_CASE("SshClient: a command without a program fails before connecting", "[net][ssh]") {
    SshClient client(valid());
    const auto r = client.run({});
    CHECK_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(r.error == "ssh root@pve1.example:2222: a remote command needs a program");
    CHECK(client.connectionsOpened() == 0);
}
