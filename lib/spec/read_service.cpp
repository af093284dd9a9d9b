// networks[].service: what a `service` network runs in each of its nodes' containers.
#include <regex>

#include "spec/cluster_reader.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {
namespace {

using namespace std::chrono_literals;

bool matches(const std::string& text, const char* pattern) {
    return std::regex_match(text, std::regex(pattern));
}

// File modes are written as in chmod: three or four octal digits, e.g. 0644 or 600.
std::optional<unsigned> parseMode(const std::string& text) {
    if (!matches(text, "^0?[0-7]{3}$")) {
        return std::nullopt;
    }
    return static_cast<unsigned>(std::stoul(text, nullptr, 8));
}

}  // namespace

void ClusterReader::readService(const Field& field, ServiceSpec& service) {
    MappingReader m(r_, field);
    const auto unit = m.get("unit");
    const auto command = m.require("command");
    const auto user = m.get("user");
    const auto environment = m.get("environment");
    const auto files = m.get("files");
    const auto probe = m.get("probe");
    m.finish();
    if (!m.ok()) {
        return;
    }
    if (unit) {
        if (auto text = r_.string(*unit)) {
            if (matches(*text, "^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$") &&
                !text->ends_with(".service")) {
                service.unit = *text;
            } else {
                r_.error(*unit, yaml::quote(*text) +
                                    " is not a unit name; accepted: letters, digits, '_', '.', "
                                    "'@' and '-', at most 64, without the '.service' suffix");
            }
        }
    }
    if (command) {
        if (auto items = r_.list(*command)) {
            for (const auto& item : *items) {
                if (auto text = r_.string(item)) {
                    service.command.push_back(*text);
                }
            }
            if (items->empty()) {
                r_.error(*command,
                         "the command is empty; accepted: a list whose first item is "
                         "the program's absolute path, e.g. [/usr/bin/python3, -m, "
                         "http.server]");
            } else if (!service.command.empty() && !service.command.front().starts_with("/")) {
                r_.error((*items)[0], yaml::quote(service.command.front()) +
                                          " is not an absolute path; systemd runs the program "
                                          "by its full path, e.g. /usr/bin/python3");
            }
        }
    }
    if (user) {
        if (auto text = r_.string(*user)) {
            if (matches(*text, "^[a-z_][a-z0-9_-]{0,31}$")) {
                service.user = *text;
            } else {
                r_.error(*user, yaml::quote(*text) +
                                    " is not a user name; accepted: lower-case letters, digits, "
                                    "'_' and '-', starting with a letter or '_'");
            }
        }
    }
    if (environment) {
        MappingReader e(r_, *environment);
        for (auto& [key, value] : e.all()) {
            if (!matches(key, "^[A-Za-z_][A-Za-z0-9_]*$")) {
                r_.keyError(value, yaml::quote(key) +
                                       " is not a variable name; accepted: letters, digits and "
                                       "'_', not starting with a digit");
                continue;
            }
            if (auto text = r_.string(value)) {
                service.environment[key] = *text;
            }
        }
    }
    if (files) {
        readServiceFiles(*files, service);
    }
    if (probe) {
        service.probe.emplace();
        readProbe(*probe, *service.probe);
    }
}

void ClusterReader::readServiceFiles(const Field& field, ServiceSpec& service) {
    auto items = r_.list(field);
    if (!items) {
        return;
    }
    for (const auto& item : *items) {
        MappingReader f(r_, item);
        const auto path = f.require("path");
        const auto content = f.require("content");
        const auto mode = f.get("mode");
        f.finish();
        if (!f.ok()) {
            continue;
        }
        ServiceFile file;
        if (path) {
            file.path = readAbsolutePath(*path).value_or("");
        }
        if (content) {
            file.content = r_.string(*content).value_or("");
        }
        if (mode && r_.visit(*mode)) {
            const auto& node = mode->value();
            auto parsed = node.kind == yaml::Kind::Scalar ? parseMode(node.text) : std::nullopt;
            if (parsed) {
                file.mode = *parsed;
                r_.record(*mode);
            } else {
                r_.error(*mode,
                         "expected a file mode; accepted: three or four octal digits, "
                         "e.g. 0644 or 0600");
            }
        }
        service.files.push_back(std::move(file));
    }
}

void ClusterReader::readProbe(const Field& field, HttpProbeSpec& probe) {
    MappingReader m(r_, field);
    const auto port = m.require("port");
    const auto path = m.get("path");
    const auto expectStatus = m.get("expectStatus");
    const auto timeout = m.get("timeout");
    const auto failureThreshold = m.get("failureThreshold");
    m.finish();
    if (!m.ok()) {
        return;
    }
    if (port) {
        readInt(*port, 1, 65535, probe.port);
    }
    if (path) {
        if (auto text = r_.string(*path)) {
            if (text->starts_with("/") && text->find_first_of(" \r\n") == std::string::npos) {
                probe.path = *text;
            } else {
                r_.error(*path, yaml::quote(*text) +
                                    " is not a request path; accepted: a path starting with '/', "
                                    "without spaces, e.g. /health");
            }
        }
    }
    if (expectStatus) {
        readInt(*expectStatus, 100, 599, probe.expectStatus);
    }
    if (timeout) {
        if (auto d = r_.duration(*timeout, 100ms, 60s)) {
            probe.timeout = *d;
        }
    }
    if (failureThreshold) {
        readInt(*failureThreshold, 1, 100, probe.failureThreshold);
    }
}

}  // namespace chainvisor::spec::detail
