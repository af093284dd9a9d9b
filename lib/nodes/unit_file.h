// systemd unit files, rendered from values: quoting an argument vector for ExecStart so that no
// value (spaces, quotes, '$', '%', backslashes) is reinterpreted by systemd.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace chainvisor::nodes {

struct UnitFile {
    std::string description;
    std::vector<std::string> execStart;
    std::string user = "root";
    std::map<std::string, std::string> environment;
    std::string killSignal;      // empty: systemd's default (SIGTERM)
    int timeoutStopSeconds = 0;  // 0: systemd's default
    std::string workingDirectory;
};

// One argument as systemd's ExecStart= parses it: double-quoted, with \ and " escaped, and
// $ and % doubled so systemd expands neither.
std::string quoteForSystemd(const std::string& arg);

std::string renderUnit(const UnitFile& unit);

}  // namespace chainvisor::nodes
