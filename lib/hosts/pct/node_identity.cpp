#include "hosts/pct/node_identity.h"

#include <algorithm>
#include <cctype>

namespace chainvisor::hosts::pct {

std::string shortNodeName(std::string_view unameOutput) {
    const auto b = unameOutput.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    unameOutput.remove_prefix(b);
    unameOutput = unameOutput.substr(0, unameOutput.find_first_of(" \t\r\n"));
    std::string out(unameOutput.substr(0, unameOutput.find('.')));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool sameNode(std::string_view unameOutput, std::string_view pveNode) {
    const std::string seen = shortNodeName(unameOutput);
    return !seen.empty() && seen == shortNodeName(pveNode);
}

}  // namespace chainvisor::hosts::pct
