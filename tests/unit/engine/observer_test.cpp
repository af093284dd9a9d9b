#include "engine/observer.h"

#include <catch2/catch.hpp>

#include "harness.h"

using namespace chainvisor;
using namespace chainvisor::engine;
using namespace chainvisor::engine::testing;

namespace {

FakeContainer containerOf(int vmid, std::optional<plan::OwnerMarker> owner,
                          plan::PowerState power) {
    FakeContainer c;
    c.vmid = vmid;
    c.owner = std::move(owner);
    c.power = power;
    c.inside.service = power == plan::PowerState::Running ? plan::ServiceState::Active
                                                          : plan::ServiceState::Inactive;
    c.inside.version = spec::Version::parse("24.1.0");
    c.inside.configFingerprint = "abc";
    return c;
}

}  // namespace

TEST_CASE("observeAll inspects only running containers this cluster manages", "[observer]") {
    auto spec = makeCluster(5, {"a", "b"});  // a: val1 val3 val5, b: val2 val4
    node(spec, "val5").adopt = true;
    FakeWorld world;
    FakeHost a(world, "a");
    FakeHost b(world, "b");
    FakeNodeAgent agent(world);
    const plan::OwnerMarker ours{"test", "val1"};
    world.putContainer("a", containerOf(101, ours, plan::PowerState::Running));
    world.putContainer("a", containerOf(103, plan::OwnerMarker{"other", "val3"},
                                        plan::PowerState::Running));  // another cluster's
    world.putContainer("a", containerOf(105, std::nullopt, plan::PowerState::Running));  // adopt
    world.putContainer("a", containerOf(150, std::nullopt, plan::PowerState::Running));  // stranger
    world.putContainer(
        "b", containerOf(102, plan::OwnerMarker{"test", "val2"}, plan::PowerState::Stopped));
    world.putContainer(
        "b", containerOf(104, plan::OwnerMarker{"test", "val4"}, plan::PowerState::Running));
    world.fail("b", "inspect", 104, 1, hosts::ErrorKind::Transient, "exec timed out");

    const HostMap hosts{{"a", &a}, {"b", &b}};
    auto observed = observeAll(spec, hosts, agent);

    REQUIRE(observed.hosts.size() == 2);
    CHECK(observed.hosts.at("a").reachable);
    CHECK(observed.hosts.at("a").containers.size() == 4);
    CHECK(world.calls("a", "inspect") == 2);
    CHECK(world.calls("a", "inspect", 101) == 1);
    CHECK(world.calls("a", "inspect", 105) == 1);
    CHECK(world.calls("b", "inspect") == 1);  // val2 is stopped: not inspected

    REQUIRE(observed.nodes.contains("val1"));
    CHECK(observed.nodes.at("val1").service == plan::ServiceState::Active);
    CHECK(observed.nodes.at("val1").health == plan::Health::Ready);
    CHECK(observed.nodes.at("val1").version == spec::Version::parse("24.1.0"));
    CHECK(observed.nodes.at("val1").configFingerprint == "abc");
    CHECK(observed.nodes.contains("val5"));
    CHECK_FALSE(observed.nodes.contains("val2"));
    CHECK_FALSE(observed.nodes.contains("val3"));
    REQUIRE(observed.nodes.contains("val4"));
    CHECK(observed.nodes.at("val4").service == plan::ServiceState::Unknown);
    CHECK(observed.nodes.at("val4").health == plan::Health::Unknown);
    CHECK_FALSE(observed.nodes.at("val4").version);
}

TEST_CASE("observeAll reports a host it cannot observe as unreachable", "[observer]") {
    auto spec = makeCluster(2, {"a", "b"});
    FakeWorld world;
    FakeHost a(world, "a");
    FakeHost b(world, "b");
    FakeNodeAgent agent(world);
    world.putContainer(
        "b", containerOf(102, plan::OwnerMarker{"test", "val2"}, plan::PowerState::Running));
    world.setBlind("b", true);

    auto observed = observeAll(spec, HostMap{{"a", &a}, {"b", &b}}, agent);
    CHECK(observed.hosts.at("a").reachable);
    CHECK_FALSE(observed.hosts.at("b").reachable);
    CHECK(observed.hosts.at("b").error == "connect b: connection refused");
    CHECK(observed.hosts.at("b").containers.empty());
    CHECK(observed.nodes.empty());
    CHECK(world.calls("b", "inspect") == 0);

    auto missing = observeAll(spec, HostMap{{"a", &a}}, agent);
    CHECK_FALSE(missing.hosts.at("b").reachable);
    CHECK(missing.hosts.at("b").error == "no provider for host b");
}

TEST_CASE("managesContainer follows the ownership rule", "[observer]") {
    auto spec = makeCluster(1);
    spec::Node& n = node(spec, "val1");
    plan::ObservedContainer c;
    c.vmid = 101;
    c.owner = plan::OwnerMarker{"test", "val1"};
    CHECK(managesContainer(spec, n, c));
    c.owner = plan::OwnerMarker{"test", "val9"};
    CHECK_FALSE(managesContainer(spec, n, c));
    c.owner.reset();
    CHECK_FALSE(managesContainer(spec, n, c));
    n.adopt = true;
    CHECK(managesContainer(spec, n, c));
    c.owner = plan::OwnerMarker{"other", "val1"};
    CHECK_FALSE(managesContainer(spec, n, c));  // never another cluster's, adopt or not
    c.owner = plan::OwnerMarker{"test", "val1"};
    c.pveNode = "pve2";
    CHECK_FALSE(managesContainer(spec, n, c));
}
