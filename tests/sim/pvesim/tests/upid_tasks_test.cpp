// UPIDs in Proxmox VE's format and the task registry.
#include <catch2/catch.hpp>

#include "tasks.h"
#include "upid.h"

using namespace pvesim;

TEST_CASE("a UPID has upper-case fixed-width hex fields and a trailing colon") {
    Upid u{"pve1", 0x1a2b, 0x3c4d5, 0x65f00000, "vzcreate", "100", "root@pam!chainvisor"};
    std::string s = format_upid(u);
    CHECK(s == "UPID:pve1:00001A2B:0003C4D5:65F00000:vzcreate:100:root@pam!chainvisor:");
    auto back = parse_upid(s);
    REQUIRE(back);
    CHECK(back->node == "pve1");
    CHECK(back->pid == 0x1a2b);
    CHECK(back->pstart == 0x3c4d5);
    CHECK(back->starttime == 0x65f00000u);
    CHECK(back->type == "vzcreate");
    CHECK(back->id == "100");
    CHECK(back->user == "root@pam!chainvisor");
}

TEST_CASE("malformed UPIDs are rejected") {
    CHECK_FALSE(parse_upid("UPID:pve1:1A2B:0003C4D5:65F00000:vzcreate:100:root@pam:"));
    CHECK_FALSE(parse_upid("UPID:pve1:00001A2B:0003C4D5:65F00000:vzcreate:100:root@pam"));
    CHECK_FALSE(parse_upid("nonsense"));
    CHECK(parse_upid("UPID:pve1:00001A2B:123456789:65F00000:vzstart::root@pam:"));
}

TEST_CASE("tasks run, then stop with OK or the first line of their error") {
    TaskRegistry reg;
    Task& t = reg.start("pve1", "vzstart", "100", "root@pam!x", 1700000000);
    CHECK(t.running);
    auto st = TaskRegistry::status_json(t);
    CHECK(st["status"] == "running");
    CHECK_FALSE(st.contains("exitstatus"));
    TaskRegistry::finish(t, "startup for container '100' failed\nmore", 1700000005);
    st = TaskRegistry::status_json(t);
    CHECK(st["status"] == "stopped");
    CHECK(st["exitstatus"] == "startup for container '100' failed");
    std::int64_t total = 0;
    auto log = TaskRegistry::log_json(t, 0, 50, total);
    CHECK(total == 1);
    CHECK(log[0].as_object().at("t") == "TASK ERROR: startup for container '100' failed");
    CHECK(log[0].as_object().at("n") == 1);
    CHECK(reg.find(t.upid) == &t);
    CHECK(reg.find("UPID:x") == nullptr);
}

TEST_CASE("task logs page with start and limit") {
    TaskRegistry reg;
    Task& t = reg.start("pve1", "vzcreate", "100", "root@pam", 1);
    for (int i = 0; i < 5; ++i) {
        t.log.push_back("line " + std::to_string(i));
    }
    TaskRegistry::finish(t, "", 2);
    std::int64_t total = 0;
    auto page = TaskRegistry::log_json(t, 2, 2, total);
    CHECK(total == 6);
    REQUIRE(page.size() == 2);
    CHECK(page[0].as_object().at("n") == 3);
    CHECK(page[1].as_object().at("t") == "line 3");
    auto tail = TaskRegistry::log_json(t, 5, 50, total);
    CHECK(tail[0].as_object().at("t") == "TASK OK");
}

TEST_CASE("an empty running log says no content") {
    TaskRegistry reg;
    Task& t = reg.start("pve1", "vzstop", "100", "root@pam", 1);
    std::int64_t total = 0;
    auto log = TaskRegistry::log_json(t, 0, 50, total);
    CHECK(total == 1);
    CHECK(log[0].as_object().at("t") == "no content");
}

TEST_CASE("tasks are listed newest first per node") {
    TaskRegistry reg;
    reg.start("pve1", "vzcreate", "100", "u", 1);
    reg.start("pve2", "vzcreate", "101", "u", 2);
    Task& last = reg.start("pve1", "vzstart", "100", "u", 3);
    std::int64_t total = 0;
    auto list = reg.list_json("pve1", 0, 50, 0, total);
    CHECK(total == 2);
    CHECK(list[0].as_object().at("upid").as_string() == last.upid);
}
