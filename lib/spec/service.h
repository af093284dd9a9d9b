// The generic `service` node kind's part of the spec: a systemd service inside the container,
// the files it needs and an HTTP health probe. It proves the engine end to end with any program
// the container has (the base image ships python3).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chainvisor::spec {

struct ServiceFile {
    std::string path;  // absolute, inside the container
    std::string content;
    unsigned mode = 0644;
    friend bool operator==(const ServiceFile&, const ServiceFile&) = default;
};

struct HttpProbeSpec {
    int port = 0;
    std::string path = "/";
    int expectStatus = 200;
    std::chrono::milliseconds timeout{2000};
    int failureThreshold = 3;  // consecutive failures before the node is NotReady
    friend bool operator==(const HttpProbeSpec&, const HttpProbeSpec&) = default;
};

struct ServiceSpec {
    std::string unit;                  // systemd unit name without ".service"
    std::vector<std::string> command;  // ExecStart, as an argument vector
    std::string user = "root";
    std::map<std::string, std::string> environment;
    std::vector<ServiceFile> files;
    std::optional<HttpProbeSpec> probe;
    friend bool operator==(const ServiceSpec&, const ServiceSpec&) = default;
};

}  // namespace chainvisor::spec
