// bitcell-node's command line: subcommand by role, managed flags, bootstrap peers in address
// order, the node's config as flags, and the config keys that are refused.
#include "nodes/bitcell/command_line.h"

#include <catch2/catch.hpp>

#include "bitcell_fixtures.h"

namespace chainvisor::nodes::bitcell {
namespace {

using Args = std::vector<std::string>;

Args argsOf(const spec::Cluster& cluster, const std::string& name) {
    auto r = commandLine(cluster, *cluster.findNode(name));
    REQUIRE(r);
    return r.value();
}

}  // namespace

TEST_CASE("the subcommand follows the role", "[bitcell][command]") {
    const auto cluster = test::bitcellCluster();
    CHECK(argsOf(cluster, "validator1").at(1) == "validator");
    CHECK(argsOf(cluster, "miner1").at(1) == "miner");
    CHECK(argsOf(cluster, "full1").at(1) == "full-node");

    auto wrong = cluster;
    wrong.nodes[0].role = spec::Role::Sentry;
    auto r = commandLine(wrong, wrong.nodes[0]);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == hosts::ErrorKind::Permanent);
    CHECK(r.error().message ==
          "role sentry is not a BitCell role; accepted: validator, miner, full");
}

TEST_CASE("the whole command line of a validator", "[bitcell][command]") {
    auto cluster = test::bitcellCluster();
    cluster.nodes[0].ports = {31000, 31001, 31002};
    CHECK(argsOf(cluster, "validator1") ==
          Args{"/opt/bitcell/current/bin/bitcell-node", "validator", "--data-dir",
               "/var/lib/bitcell/data", "--port", "31000", "--rpc-port", "31001", "--enable-dht",
               "--bootstrap", "/ip4/10.99.0.11/tcp/30333", "--key-file",
               "/var/lib/bitcell/node.key"});
}

TEST_CASE("bootstrap peer: one, the next node by address, in a ring", "[bitcell][command]") {
    auto cluster = test::bitcellCluster();
    std::vector<std::string> chosen;
    for (const auto& node : cluster.nodes) {
        if (node.network != "cell") {
            continue;
        }
        const auto peer = bootstrapPeer(cluster, node);
        REQUIRE(peer);
        chosen.push_back(node.ip->address.str() + " -> " + *peer);
        const auto args = argsOf(cluster, node.name);
        CHECK(std::count(args.begin(), args.end(), "--bootstrap") == 1);
    }
    std::sort(chosen.begin(), chosen.end());
    CHECK(chosen == Args{"10.99.0.11 -> /ip4/10.99.0.12/tcp/30333",
                         "10.99.0.12 -> /ip4/10.99.0.13/tcp/30333",
                         "10.99.0.13 -> /ip4/10.99.0.11/tcp/30333"});
}

TEST_CASE("bootstrap peers: the network's other nodes, by address", "[bitcell][command]") {
    auto cluster = test::bitcellCluster();
    CHECK(bootstrapAddresses(cluster, *cluster.findNode("full1")) ==
          Args{"/ip4/10.99.0.11/tcp/30333", "/ip4/10.99.0.13/tcp/30333"});

    SECTION("the file's order does not matter") {
        auto reversed = cluster;
        std::reverse(reversed.nodes.begin(), reversed.nodes.end());
        for (const char* name : {"validator1", "miner1", "full1"}) {
            CHECK(argsOf(reversed, name) == argsOf(cluster, name));
        }
    }
    SECTION("absent nodes and nodes without an address are left out; stopped ones stay") {
        cluster.nodes.push_back(test::bitcellNode("gone", spec::Role::Miner, "10.99.0.14"));
        cluster.nodes.back().state = spec::DesiredState::Absent;
        cluster.nodes.push_back(test::bitcellNode("dhcp", spec::Role::Full, "10.99.0.15"));
        cluster.nodes.back().ip.reset();
        cluster.nodes.push_back(test::bitcellNode("resting", spec::Role::Full, "10.99.0.9"));
        cluster.nodes.back().state = spec::DesiredState::Stopped;
        cluster.nodes.back().ports.p2p = 40000;
        CHECK(bootstrapAddresses(cluster, *cluster.findNode("full1")) ==
              Args{"/ip4/10.99.0.9/tcp/40000", "/ip4/10.99.0.11/tcp/30333",
                   "/ip4/10.99.0.13/tcp/30333"});
    }
    SECTION("a lone node has none") {
        spec::Cluster lone = cluster;
        lone.nodes.erase(lone.nodes.begin() + 1, lone.nodes.begin() + 3);
        CHECK(bootstrapAddresses(lone, lone.nodes[0]).empty());
        const auto args = argsOf(lone, "validator1");
        CHECK(std::find(args.begin(), args.end(), "--bootstrap") == args.end());
        CHECK(std::find(args.begin(), args.end(), "--enable-dht") != args.end());
    }
}

TEST_CASE("the node's config becomes flags, in key order", "[bitcell][command]") {
    auto cluster = test::bitcellCluster();
    auto& config = cluster.nodes[1].config;  // miner1
    config["log-json"] = true;
    config["no-mining"] = false;
    config["threads"] = std::int64_t{4};
    config["offset"] = std::int64_t{-3};
    config["region"] = std::string("us east");
    config["label"] = std::string("-odd");
    config["allow-ip"] = std::vector<std::string>{"10.0.0.1", "10.0.0.2"};
    config["deny-ip"] = std::vector<std::string>{};
    const auto args = argsOf(cluster, "miner1");
    const auto keyFile = std::find(args.begin(), args.end(), "--key-file");
    REQUIRE(keyFile != args.end());
    CHECK(Args(keyFile + 2, args.end()) == Args{"--allow-ip", "10.0.0.1", "--allow-ip", "10.0.0.2",
                                                "--label=-odd", "--log-json", "--offset=-3",
                                                "--region", "us east", "--threads", "4"});
}

TEST_CASE("config keys chainvisor sets, or that replace its key, are refused",
          "[bitcell][command]") {
    for (const auto& [key, instead] : std::vector<std::pair<std::string, std::string>>{
             {"port", "use ports.p2p"},
             {"rpc-port", "use ports.rpc"},
             {"data-dir", "remove it"},
             {"key-file", "use keyFile"},
             {"enable-dht", "remove it"},
             {"bootstrap",
              "remove it; chainvisor gives each node the next one as its bootstrap peer"},
             {"private-key", "use keyFile"},
             {"key-seed", "use keyFile"}}) {
        auto cluster = test::bitcellCluster();
        cluster.nodes[0].config[key] = std::string("x");
        auto r = commandLine(cluster, cluster.nodes[0]);
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == hosts::ErrorKind::Permanent);
        CHECK(r.error().message ==
              "config." + key + ": --" + key + " is set by chainvisor; " + instead);
    }
}

}  // namespace chainvisor::nodes::bitcell
