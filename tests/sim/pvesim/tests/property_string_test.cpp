// Property strings come back in PVE's canonical order with sizes normalised.
#include "property_string.h"

#include <catch2/catch.hpp>

#include "ct_schema.h"

using namespace pvesim;

TEST_CASE("net0 prints name first, then the other keys sorted") {
    std::string err;
    auto v = parse_property_string(
        net_format(), "type=veth,ip=dhcp,bridge=vmbr0,name=eth0,firewall=1", "net0", err);
    REQUIRE(v);
    CHECK(print_property_string(net_format(), *v) ==
          "name=eth0,bridge=vmbr0,firewall=1,ip=dhcp,type=veth");
}

TEST_CASE("rootfs prints the volume bare and the size normalised") {
    std::string err;
    auto v =
        parse_property_string(rootfs_format(), "size=8192M,local-lvm:vm-100-disk-0", "rootfs", err);
    REQUIRE(v);
    CHECK(print_property_string(rootfs_format(), *v) == "local-lvm:vm-100-disk-0,size=8G");
}

TEST_CASE("mount points put the required mp key before the optional ones") {
    std::string err;
    auto v = parse_property_string(mp_format(), "local-lvm:vm-1-disk-1,size=1G,backup=1,mp=/data",
                                   "mp0", err);
    REQUIRE(v);
    CHECK(print_property_string(mp_format(), *v) ==
          "local-lvm:vm-1-disk-1,mp=/data,backup=1,size=1G");
}

TEST_CASE("booleans in property strings are normalised") {
    std::string err;
    auto v = parse_property_string(features_format(), "nesting=true,keyctl=on", "features", err);
    REQUIRE(v);
    CHECK(print_property_string(features_format(), *v) == "keyctl=1,nesting=1");
}

TEST_CASE("property string syntax errors") {
    std::string err;
    CHECK_FALSE(parse_property_string(net_format(), "name=eth0,name=eth1", "net0", err));
    CHECK(err == "duplicate key in comma-separated list property: name\n");
    CHECK_FALSE(parse_property_string(net_format(), "eth0", "net0", err));
    CHECK(err == "value without key, but schema does not define a default key\n");
    CHECK_FALSE(parse_property_string(net_format(), "name=", "net0", err));
    CHECK(err == "missing key in comma-separated list property\n");
    CHECK_FALSE(parse_property_string(net_format(), "name=eth0,tag=5000", "net0", err));
    CHECK(err == "format error\nnet0.tag: value must have a maximum value of 4094\n");
}

TEST_CASE("sizes parse and print like PVE::JSONSchema") {
    CHECK(parse_size("8G") == 8ull << 30);
    CHECK(parse_size("0.5G") == 512ull << 20);
    CHECK(parse_size("1536") == 1536u);
    CHECK_FALSE(parse_size("8g"));
    CHECK_FALSE(parse_size("G"));
    CHECK(format_size(8ull << 30) == "8G");
    CHECK(format_size(1536ull << 20) == "1536M");
    CHECK(format_size(2ull << 40) == "2T");
    CHECK(format_size(1000) == "1000");
    CHECK(format_size(3072) == "3K");
}
