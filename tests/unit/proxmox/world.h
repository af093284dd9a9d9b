// A small scripted Proxmox world for ProxmoxHost tests: containers as /cluster/resources and
// …/config show them, nodes, and task replies.
#pragma once

#include <string>
#include <vector>

#include "hosts/proxmox/proxmox_host.h"
#include "scripted_http.h"

namespace chainvisor::hosts::proxmox::test {

inline const std::string kSecret = "3f9c1b7e-2a4d-4e8f-b6c0-5d1e7a9f2c34";

struct Ct {
    int vmid = 101;
    std::string node = "pve1";
    std::string status = "running";
    std::string type = "lxc";
    std::string hostname = "val1";
    std::string tags = "chainvisor;cv-c-prod;cv-n-val1";
    std::string lock;
    int cores = 2;
    int memory = 2048;
    int swap = 512;
    int diskGiB = 16;
    std::string net0 =
        "name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.0.0.11/24,type=veth";
    std::string digest = "0123abcd";
};

std::string resourceJson(const Ct& ct);
std::string resourcesJson(const std::vector<Ct>& cts);
std::string configJson(const Ct& ct);
std::string nodesJson(const std::vector<std::pair<std::string, std::string>>& nodes);

std::string upid(const std::string& node, const std::string& type, int vmid);
std::string taskStatusKey(const std::string& upid);
std::string taskDone(const std::string& exit = "OK");
std::string taskRunning();

ProxmoxHostOptions hostOptions();

// Scripts the listings and every container's config (replacing earlier replies).
void scriptWorld(ScriptedHttpClient& http, const std::vector<Ct>& cts,
                 const std::vector<std::pair<std::string, std::string>>& nodes = {
                     {"pve1", "online"}, {"pve2", "online"}});
// Scripts a lifecycle call answering with a UPID whose task ends with `exit`.
void scriptTask(ScriptedHttpClient& http, const std::string& key, const std::string& node,
                const std::string& type, int vmid, const std::string& exit = "OK");
std::string ctKey(const std::string& method, int vmid, const std::string& rest = "",
                  const std::string& node = "pve1");

}  // namespace chainvisor::hosts::proxmox::test
