#include "local_shell.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "os/process.h"

namespace chainvisor::hosts::pct::test {
namespace {

namespace fs = std::filesystem;

// pct as pve-container behaves for what the provider asks of it, on a world of files:
//   uname, list, config.VMID     what uname -n, pct list, pct config VMID print
//   stopped.VMID                 the container is not running
//   root/…                       the containers' files (one tree is enough here)
//   calls                        every pct invocation, one line each
//   push-fail                    pct push fails as for an unknown user
//   src, src-mode, meta          pct push's source path and mode, and its --perms/--user/--group
const char* kPct = R"(#!/bin/sh
W='@WORLD@'
printf '%s\n' "$*" >> "$W/calls"
missing() { echo "Configuration file 'nodes/pve2/lxc/$1.conf' does not exist" >&2; exit 255; }
case "$1" in
  list) [ -f "$W/list" ] && cat "$W/list"; exit 0 ;;
  config) [ -f "$W/config.$2" ] || missing "$2"; cat "$W/config.$2" ;;
  exec)
    id=$2; shift 3
    [ -f "$W/config.$id" ] || missing "$id"
    [ -f "$W/stopped.$id" ] && { echo "container '$id' not running!" >&2; exit 255; }
    case "$1" in
      mkdir) mkdir -p -- "$W/root$4" ;;
      id) [ "$4" = nobody-here ] && { echo "id: '$4': no such user" >&2; exit 1; }; echo 1000 ;;
      mv) mv -f -- "$W/root$4" "$W/root$5" ;;
      rm) rm -f -- "$W/root$4" ;;
      *) "$@" ;;
    esac ;;
  push)
    [ -f "$W/config.$2" ] || missing "$2"
    [ -f "$W/stopped.$2" ] && { echo "can only push files to a running CT" >&2; exit 255; }
    [ -f "$W/push-fail" ] && { echo "failed to get uid for: $8" >&2; exit 255; }
    printf '%s' "$3" > "$W/src"
    stat -c %a "$3" > "$W/src-mode"
    cp -- "$3" "$W/root$4"
    printf '%s %s %s' "$6" "$8" "${10}" > "$W/meta" ;;
  *) echo "pct: unknown command '$1'" >&2; exit 255 ;;
esac
)";

void writeExecutable(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms::owner_all);
}

std::string replaced(std::string text, const std::string& what, const std::string& with) {
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
        text.replace(at, what.size(), with);
        at += with.size();
    }
    return text;
}

}  // namespace

LocalShell::LocalShell() {
    std::string pattern = (fs::temp_directory_path() / "cv-pct-test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    world_ = dir_ / "world";
    fs::create_directories(world_ / "root");
    fs::create_directories(dir_ / "bin");
    fs::create_directories(tmp());
    writeExecutable(dir_ / "bin" / "pct", replaced(kPct, "@WORLD@", world_.string()));
    writeExecutable(dir_ / "bin" / "uname", "#!/bin/sh\ncat '" + world_.string() + "/uname'\n");
    writeExecutable(dir_ / "bin" / "nproc", "#!/bin/sh\necho 4\n");
    put("uname", "pve2\n");
}

LocalShell::~LocalShell() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void LocalShell::put(const std::string& name, const std::string& content) const {
    std::ofstream(world_ / name, std::ios::binary) << content;
}

std::string LocalShell::get(const std::string& name) const {
    std::ifstream in(world_ / name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool LocalShell::exists(const std::string& name) const {
    return fs::exists(world_ / name);
}

void LocalShell::remove(const std::string& name) const {
    fs::remove(world_ / name);
}

net::RemoteOutcome LocalShell::run(const net::RemoteCommand& command) {
    const char* path = std::getenv("PATH");
    std::vector<std::string> argv{
        "env", "PATH=" + (dir_ / "bin").string() + ":" + (path != nullptr ? path : "/usr/bin:/bin"),
        "TMPDIR=" + tmp().string()};
    argv.insert(argv.end(), command.argv.begin(), command.argv.end());
    os::ProcessOptions options;
    options.deadline = command.deadline;
    options.input = command.input;
    options.maxOutput = command.maxOutput;
    os::SystemProcessRunner runner;
    auto r = runner.run(argv, options);
    net::RemoteOutcome o;
    if (r.startFailed) {
        o.error = "could not start: " + r.err;
    } else if (r.timedOut) {
        o.error = "no answer in time";
        o.timedOut = true;
    } else if (r.signal != 0) {
        o.exitSignal = std::to_string(r.signal);
    } else {
        o.exitCode = r.exitCode;
    }
    o.out = std::move(r.out);
    o.err = std::move(r.err);
    return o;
}

}  // namespace chainvisor::hosts::pct::test
