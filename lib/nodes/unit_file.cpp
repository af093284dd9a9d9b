#include "nodes/unit_file.h"

namespace chainvisor::nodes {

std::string quoteForSystemd(const std::string& arg) {
    std::string out = "\"";
    for (char c : arg) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '$':
                out += "$$";
                break;
            case '%':
                out += "%%";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

std::string renderUnit(const UnitFile& unit) {
    std::string s;
    s += "# Written by chainvisord; changes here are overwritten.\n";
    s += "[Unit]\n";
    s += "Description=" + unit.description + "\n";
    s += "After=network-online.target\n";
    s += "Wants=network-online.target\n\n";
    s += "[Service]\n";
    s += "Type=simple\n";
    s += "User=" + unit.user + "\n";
    if (!unit.workingDirectory.empty()) {
        s += "WorkingDirectory=" + unit.workingDirectory + "\n";
    }
    for (const auto& [key, value] : unit.environment) {
        s += "Environment=" + quoteForSystemd(key + "=" + value) + "\n";
    }
    s += "ExecStart=";
    for (std::size_t i = 0; i < unit.execStart.size(); ++i) {
        s += (i == 0 ? "" : " ") + quoteForSystemd(unit.execStart[i]);
    }
    s += "\n";
    s += "Restart=on-failure\n";
    s += "RestartSec=2\n";
    if (!unit.killSignal.empty()) {
        s += "KillSignal=" + unit.killSignal + "\n";
    }
    if (unit.timeoutStopSeconds > 0) {
        s += "TimeoutStopSec=" + std::to_string(unit.timeoutStopSeconds) + "\n";
    }
    s += "\n[Install]\n";
    s += "WantedBy=multi-user.target\n";
    return s;
}

}  // namespace chainvisor::nodes
