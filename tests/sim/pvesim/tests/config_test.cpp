// The raw config text and its digest, pending sections and the merged view.
#include <catch2/catch.hpp>

#include "ct_config.h"

using namespace pvesim;

TEST_CASE("the config renders like write_pct_config") {
    CtConfig c;
    c.values = {{"memory", "512"}, {"arch", "amd64"}, {"description", "web: front\nline 2"}};
    c.pending = {{"cores", "4"}};
    c.snapshots["s1"] = {{"memory", "256"}, {"snaptime", "1700000000"}};
    CHECK(c.render() ==
          "#web%3A front\n#line 2\narch: amd64\nmemory: 512\n\n[pve:pending]\ncores: 4\n\n"
          "[s1]\nmemory: 256\nsnaptime: 1700000000\n");
}

TEST_CASE("the digest is the SHA-1 of the raw text and changes with it") {
    CtConfig c;
    c.values = {{"memory", "512"}};
    CHECK(c.digest() == sha1_hex("memory: 512\n"));
    CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    std::string before = c.digest();
    c.values["memory"] = "1024";
    CHECK(c.digest() != before);
}

TEST_CASE("pending values merge unless current is asked for") {
    CtConfig c;
    c.values = {{"memory", "512"}, {"hostname", "a"}, {"onboot", "1"}};
    c.pending = {{"memory", "1024"}};
    c.add_pending_delete("onboot");
    c.add_pending_delete("hostname");
    CHECK(c.pending["delete"] == "hostname,onboot");
    auto merged = c.effective(false);
    CHECK(merged["memory"] == "1024");
    CHECK(merged.count("onboot") == 0);
    auto current = c.effective(true);
    CHECK(current["memory"] == "512");
    CHECK(current["onboot"] == "1");
    c.remove_pending_delete("onboot");
    c.remove_pending_delete("hostname");
    CHECK(c.pending.count("delete") == 0);
}

TEST_CASE("config values are typed in JSON") {
    auto o = config_json({{"memory", "512"},
                          {"unprivileged", "1"},
                          {"cpulimit", "0.5"},
                          {"hostname", "web"},
                          {"net0", "name=eth0"}});
    CHECK(o["memory"].as_int64() == 512);
    CHECK(o["unprivileged"].as_int64() == 1);
    CHECK(o["cpulimit"].as_double() == 0.5);
    CHECK(o["hostname"].as_string() == "web");
    CHECK(o["net0"].is_string());
}
