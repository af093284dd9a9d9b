// Parameter checks give PVE::JSONSchema's messages, in its order of checks.
#include "params.h"

#include <catch2/catch.hpp>

#include "ct_schema.h"

using namespace pvesim;

namespace {

Schema create_like() {
    Schema s = ct_config_schema();
    s.add(opt_node()).add(opt_vmid());
    Prop ostemplate;
    ostemplate.name = "ostemplate";
    ostemplate.optional = false;
    ostemplate.max_length = 255;
    s.add(ostemplate);
    return s;
}

}  // namespace

TEST_CASE("a missing required parameter is reported per parameter") {
    Errors e = validate(create_like(), {{"node", "pve1"}, {"vmid", "100"}});
    REQUIRE(e.size() == 1);
    CHECK(e["ostemplate"] == "property is missing and it is not optional");
}

TEST_CASE("type checks quote the value like PVE") {
    Errors e = validate(create_like(), {{"node", "pve1"},
                                        {"vmid", "abc"},
                                        {"ostemplate", "local:vztmpl/x.tar.zst"},
                                        {"memory", "1.5"},
                                        {"cpulimit", "lots"}});
    CHECK(e["vmid"] == "type check ('integer') failed - got 'abc'");
    CHECK(e["memory"] == "type check ('integer') failed - got '1.5'");
    CHECK(e["cpulimit"] == "type check ('number') failed - got 'lots'");
}

TEST_CASE("form booleans are only 0 and 1") {
    Errors e = validate(create_like(), {{"node", "pve1"},
                                        {"vmid", "100"},
                                        {"ostemplate", "local:vztmpl/x.tar.zst"},
                                        {"unprivileged", "true"},
                                        {"onboot", "1"}});
    REQUIRE(e.size() == 1);
    CHECK(e["unprivileged"] == "type check ('boolean') failed - got 'true'");
}

TEST_CASE("bounds, formats, enums and unknown parameters") {
    Errors e = validate(create_like(), {{"node", "pve_1"},
                                        {"vmid", "99"},
                                        {"ostemplate", "local:vztmpl/x.tar.zst"},
                                        {"memory", "8"},
                                        {"cores", "9000"},
                                        {"ostype", "windows"},
                                        {"hostname", "bad_name"},
                                        {"colour", "blue"}});
    CHECK(e["node"] == "invalid format - value does not look like a valid node name\n");
    // pve-vmid's format is checked before its minimum, as in PVE.
    CHECK(e["vmid"] == "invalid format - value does not look like a valid VM ID\n");
    CHECK(e["memory"] == "value must have a minimum value of 16");
    CHECK(e["cores"] == "value must have a maximum value of 8192");
    CHECK(e["ostype"] ==
          "value 'windows' does not have a value in the enumeration 'debian, devuan, ubuntu, "
          "centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged'");
    CHECK(e["hostname"] == "invalid format - value does not look like a valid DNS name\n");
    CHECK(e["colour"] ==
          "property is not defined in schema and the schema does not allow additional "
          "properties");
}

TEST_CASE("a bad property string reports the nested key") {
    Errors e = validate(create_like(), {{"node", "pve1"},
                                        {"vmid", "100"},
                                        {"ostemplate", "local:vztmpl/x.tar.zst"},
                                        {"net0", "bridge=vmbr0,ip=dhcp"},
                                        {"net1", "name=eth1,ip=10.0.0.300/24"},
                                        {"rootfs", "local-lvm:8,colour=red"}});
    CHECK(e["net0"] ==
          "invalid format - format error\nnet0.name: property is missing and it is not "
          "optional\n");
    CHECK(e["net1"] ==
          "invalid format - format error\nnet1.ip: invalid format - value does not look like a "
          "valid ipv4 network configuration\n\n");
    CHECK(e["rootfs"] == "invalid format - invalid key in comma-separated list property: colour\n");
}

TEST_CASE("string length limits") {
    Prop p;
    p.name = "password";
    p.min_length = 5;
    Errors e;
    check_prop("password", p, "abc", e);
    CHECK(e["password"] == "value must be at least 5 characters long");
    Prop q;
    q.name = "digest";
    q.max_length = 40;
    Errors f;
    check_prop("digest", q, std::string(41, 'a'), f);
    CHECK(f["digest"] == "value may only be 40 characters long");
}

TEST_CASE("split_list splits like PVE::Tools") {
    CHECK(split_list("a,b;c  d\0e") == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(split_list(std::string_view("x\0y", 3)) == std::vector<std::string>{"x", "y"});
    CHECK(split_list(" ,; ").empty());
}

TEST_CASE("numbers and integers") {
    CHECK(is_integer("-12"));
    CHECK_FALSE(is_integer("1.0"));
    CHECK(is_number("1."));
    CHECK(is_number(".5e3"));
    CHECK_FALSE(is_number("0x10"));
    CHECK(number_text(100) == "100");
    CHECK(number_text(0.5) == "0.5");
}
