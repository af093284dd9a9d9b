// A RemoteShell that runs the command on this machine, with a directory of stand-ins (pct, uname,
// nproc) first in PATH: the provider's sh scripts then run for real, under /bin/sh, against a
// tiny world of files. What a stand-in does is in local_shell.cpp.
#pragma once

#include <filesystem>
#include <string>

#include "net/remote_shell.h"

namespace chainvisor::hosts::pct::test {

class LocalShell final : public net::RemoteShell {
public:
    LocalShell();  // a fresh world in a temporary directory, removed on destruction
    ~LocalShell() override;
    LocalShell(const LocalShell&) = delete;
    LocalShell& operator=(const LocalShell&) = delete;

    const std::string& target() const override { return target_; }
    net::RemoteOutcome run(const net::RemoteCommand& command) override;

    // The world: files the stand-ins read and write.
    const std::filesystem::path& world() const { return world_; }
    std::filesystem::path root() const { return world_ / "root"; }  // the containers' files
    std::filesystem::path tmp() const { return dir_ / "tmp"; }      // TMPDIR of the commands
    void put(const std::string& name, const std::string& content) const;
    std::string get(const std::string& name) const;  // "" when missing
    bool exists(const std::string& name) const;
    void remove(const std::string& name) const;

private:
    std::filesystem::path dir_;
    std::filesystem::path world_;
    std::string target_ = "root@local-sh";
};

}  // namespace chainvisor::hosts::pct::test
