#include "hosts/pct/observe_script.h"

#include <charconv>
#include <optional>
#include <utility>

#include "hosts/pct/node_identity.h"

namespace chainvisor::hosts::pct {
namespace {

constexpr std::string_view kMarker = "@@chainvisor ";

std::optional<int> number(std::string_view text) {
    int out = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return out;
}

// "config 101" → ("config", "101")
std::pair<std::string_view, std::string_view> split(std::string_view s) {
    const auto space = s.find(' ');
    if (space == std::string_view::npos) {
        return {s, {}};
    }
    return {s.substr(0, space), s.substr(space + 1)};
}

}  // namespace

const std::string& observeScript() {
    // pct config reads from /dev/null so that nothing can eat the list lines the loop reads.
    static const std::string script =
        "n=$(uname -n) || exit\n"
        "printf '@@chainvisor node\\n%s\\n' \"$n\"\n"
        "s=$(printf '%s' \"${n%%.*}\" | tr '[:upper:]' '[:lower:]')\n"
        "[ \"$s\" = \"$1\" ] || exit 0\n"
        "shift\n"
        "printf '@@chainvisor cpus\\n'\n"
        "nproc 2>/dev/null || getconf _NPROCESSORS_ONLN\n"
        "l=$(pct list) || { rc=$?; printf '@@chainvisor list-failed %s\\n' \"$rc\"; exit "
        "\"$rc\"; }\n"
        "printf '@@chainvisor list\\n%s\\n' \"$l\"\n"
        "printf '%s\\n' \"$l\" | while read -r line; do\n"
        "  id=${line%% *}\n"
        "  case $id in ''|*[!0-9]*) continue ;; esac\n"
        "  for k in \"$@\"; do [ \"$k\" = \"$line\" ] && continue 2; done\n"
        "  printf '@@chainvisor config %s\\n' \"$id\"\n"
        "  pct config \"$id\" </dev/null\n"
        "  printf '@@chainvisor config-exit %s %s\\n' \"$id\" \"$?\"\n"
        "done\n"
        "printf '@@chainvisor end\\n'\n";
    return script;
}

std::vector<std::string> observeArgv(std::string_view pveNode,
                                     const std::vector<std::string>& knownLines) {
    std::vector<std::string> argv{"sh", "-c", observeScript(), "sh", shortNodeName(pveNode)};
    argv.insert(argv.end(), knownLines.begin(), knownLines.end());
    return argv;
}

ObserveOutput parseObserveOutput(std::string_view out) {
    ObserveOutput o;
    enum class Section { None, Node, Cpus, List, Config } section = Section::None;
    ObserveOutput::Config* config = nullptr;
    std::size_t start = 0;
    while (start < out.size()) {
        auto end = out.find('\n', start);
        if (end == std::string_view::npos) {
            end = out.size();
        }
        const std::string_view line = out.substr(start, end - start);
        start = end + 1;
        if (line.substr(0, kMarker.size()) == kMarker) {
            const auto [word, rest] = split(line.substr(kMarker.size()));
            section = Section::None;
            config = nullptr;
            if (word == "node") {
                section = Section::Node;
                o.sawNode = true;
            } else if (word == "cpus") {
                section = Section::Cpus;
            } else if (word == "list") {
                section = Section::List;
                o.listed = true;
            } else if (word == "list-failed") {
                o.listExit = number(rest).value_or(-1);
            } else if (word == "config") {
                if (const auto vmid = number(rest)) {
                    section = Section::Config;
                    config = &o.configs[*vmid];
                }
            } else if (word == "config-exit") {
                const auto [vmid, code] = split(rest);
                const auto v = number(vmid);
                const auto c = number(code);
                if (v && c) {
                    o.configs[*v].exit = *c;
                }
            } else if (word == "end") {
                o.complete = true;
            }
            continue;
        }
        switch (section) {
            case Section::Node:
                if (o.node.empty()) {
                    o.node = std::string(line);
                }
                break;
            case Section::Cpus:
                if (const auto n = number(line); n && *n > 0 && o.cpus == 0) {
                    o.cpus = *n;
                }
                break;
            case Section::List:
                o.list.append(line).append("\n");
                break;
            case Section::Config:
                config->text.append(line).append("\n");
                break;
            case Section::None:
                break;
        }
    }
    return o;
}

}  // namespace chainvisor::hosts::pct
