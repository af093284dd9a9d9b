// The fault grammar and the command line.
#include <catch2/catch.hpp>

#include "args.h"
#include "faults.h"

using namespace pvesim;

TEST_CASE("a fault spec parses and prints back") {
    std::string err;
    auto s = parse_fault_spec("latency=20,error5xx=0.1,taskfail=1,offline=pve2+pve3,seed=7", err);
    REQUIRE(s);
    CHECK(s->latency_ms == 20);
    CHECK(s->error5xx == 0.1);
    CHECK(s->taskfail == 1);
    CHECK(s->offline == std::set<std::string>{"pve2", "pve3"});
    CHECK(s->seed == 7u);
    CHECK(to_string(*s) == "latency=20,error5xx=0.1,taskfail=1,offline=pve2,offline=pve3,seed=7");
    auto empty = parse_fault_spec("", err);
    REQUIRE(empty);
    CHECK(to_string(*empty).empty());
}

TEST_CASE("bad fault specs say what is wrong") {
    std::string err;
    CHECK_FALSE(parse_fault_spec("error5xx=1.5", err));
    CHECK(err == "'error5xx=1.5': probability must be a number between 0 and 1");
    CHECK_FALSE(parse_fault_spec("latency=-1", err));
    CHECK_FALSE(parse_fault_spec("explode=1", err));
    CHECK(err.find("unknown fault 'explode'") != std::string::npos);
    CHECK_FALSE(parse_fault_spec("reset", err));
}

TEST_CASE("seeded dice repeat") {
    std::string err;
    auto spec = *parse_fault_spec("seed=42", err);
    Faults a(spec), b(spec);
    for (int i = 0; i < 50; ++i) {
        CHECK(a.roll(0.5) == b.roll(0.5));
    }
    CHECK(a.roll(1.0));
    CHECK_FALSE(a.roll(0.0));
}

namespace {

std::vector<std::string> base() {
    return {"--listen",      "127.0.0.1:0", "--cert",    "/etc/hostname", "--key",
            "/etc/hostname", "--nodes",     "pve1,pve2", "--token",       "root@pam!ci=secret"};
}

}  // namespace

TEST_CASE("the command line parses") {
    auto args = base();
    args.insert(args.end(), {"--token", "ro@pve!audit=x:audit", "--task-seconds", "0.05",
                             "--faults", "offline=pve2", "--auth-fail-delay-ms=10"});
    auto r = parse_args(args);
    REQUIRE(r.options);
    CHECK(r.options->listen_port == 0);
    CHECK(r.options->nodes == std::vector<std::string>{"pve1", "pve2"});
    REQUIRE(r.options->tokens.size() == 2);
    CHECK(r.options->tokens[1].role == Role::Audit);
    CHECK(r.options->tokens[1].secret == "x");
    CHECK(r.options->task_seconds == 0.05);
    CHECK(r.options->auth_fail_delay_ms == 10);
    CHECK(r.options->faults.offline.count("pve2") == 1);
}

TEST_CASE("only loopback addresses may be listened on") {
    auto args = base();
    args[1] = "0.0.0.0:8006";
    auto r = parse_args(args);
    CHECK_FALSE(r.options);
    CHECK(r.error.find("only loopback addresses are allowed") != std::string::npos);
    args[1] = "[::1]:0";
    CHECK(parse_args(args).options);
    args[1] = "localhost:0";
    CHECK_FALSE(parse_args(args).options);
}

TEST_CASE("argument errors are precise") {
    auto args = base();
    args.push_back("--bogus");
    CHECK(parse_args(args).error == "unknown argument '--bogus' (see --help)");
    args = base();
    args[9] = "root@pam=secret";
    CHECK(parse_args(args).error.find("is not USER@REALM!TOKENID") != std::string::npos);
    args = base();
    args.insert(args.end(), {"--faults", "offline=pve9"});
    CHECK(parse_args(args).error == "--faults: offline=pve9: no such node in --nodes");
    args = base();
    args.insert(args.end(), {"--task-seconds", "-1"});
    CHECK_FALSE(parse_args(args).options);
    CHECK(parse_args({"--cert", "/nonexistent/x"}).error ==
          "--cert /nonexistent/x: cannot read the file");
    CHECK(parse_args({"--help"}).help);
}

TEST_CASE("token secrets split at the last '='") {
    std::string err;
    // Token names cannot hold '=', so the id ends at the last one.
    CHECK_FALSE(parse_token_spec("svc@pve!ci=a=b", err));
    auto t = parse_token_spec("svc@pve!ci=b", err);
    REQUIRE(t);
    CHECK(t->id() == "svc@pve!ci");
    CHECK(t->secret == "b");
    auto auth = authenticate({*t}, "PVEAPIToken=svc@pve!ci=a=b", "");
    CHECK(auth.token == nullptr);
    auth = authenticate({*t}, "PVEAPIToken=svc@pve!ci=b", "");
    CHECK(auth.token != nullptr);
    CHECK(authenticate({*t}, "", "").reason == "No ticket");
    CHECK(authenticate({*t}, "PVEAPIToken=svc@pve!ci=wrong", "").reason ==
          "Authentication failed!");
}
