#include "world.h"

namespace chainvisor::hosts::proxmox::test {

std::string resourceJson(const Ct& ct) {
    std::string s = R"({"id":")" + ct.type + "/" + std::to_string(ct.vmid) + R"(","type":")" +
                    ct.type + R"(","node":")" + ct.node + R"(","vmid":)" + std::to_string(ct.vmid) +
                    R"(,"status":")" + ct.status + R"(","name":")" + ct.hostname +
                    R"(","maxmem":)" +
                    std::to_string(static_cast<long long>(ct.memory) * 1024 * 1024) +
                    R"(,"maxcpu":)" + std::to_string(ct.cores) + R"(,"maxdisk":)" +
                    std::to_string(static_cast<long long>(ct.diskGiB) * 1024 * 1024 * 1024) +
                    R"(,"template":0)";
    if (!ct.tags.empty()) {
        s += R"(,"tags":")" + ct.tags + "\"";
    }
    if (!ct.lock.empty()) {
        s += R"(,"lock":")" + ct.lock + "\"";
    }
    return s + "}";
}

std::string resourcesJson(const std::vector<Ct>& cts) {
    std::string s = "[";
    for (std::size_t i = 0; i < cts.size(); ++i) {
        s += (i ? "," : "") + resourceJson(cts[i]);
    }
    return s + "]";
}

std::string configJson(const Ct& ct) {
    std::string s = R"({"arch":"amd64","ostype":"debian","hostname":")" + ct.hostname +
                    R"(","cores":)" + std::to_string(ct.cores) + R"(,"memory":)" +
                    std::to_string(ct.memory) + R"(,"swap":)" + std::to_string(ct.swap) +
                    R"(,"rootfs":"local-lvm:vm-)" + std::to_string(ct.vmid) +
                    "-disk-0,size=" + std::to_string(ct.diskGiB) + R"(G","net0":")" + ct.net0 +
                    R"(","unprivileged":1,"features":"nesting=1","digest":")" + ct.digest + "\"";
    if (!ct.tags.empty()) {
        s += R"(,"tags":")" + ct.tags + "\"";
    }
    if (!ct.lock.empty()) {
        s += R"(,"lock":")" + ct.lock + "\"";
    }
    return s + "}";
}

std::string nodesJson(const std::vector<std::pair<std::string, std::string>>& nodes) {
    std::string s = "[";
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        s += (i ? "," : "") + std::string(R"({"node":")") + nodes[i].first + R"(","status":")" +
             nodes[i].second + R"(","ssl_fingerprint":"AA:BB"})";
    }
    return s + "]";
}

std::string upid(const std::string& node, const std::string& type, int vmid) {
    return "UPID:" + node + ":0000ABCD:00112233:65A1B2C3:" + type + ":" + std::to_string(vmid) +
           ":root@pam!cv:";
}

std::string taskStatusKey(const std::string& u) {
    const auto node = u.substr(5, u.find(':', 5) - 5);
    return "GET /nodes/" + node + "/tasks/" + percentEncode(u) + "/status";
}

std::string taskDone(const std::string& exit) {
    return R"({"status":"stopped","exitstatus":")" + exit + "\"}";
}

std::string taskRunning() {
    return R"({"status":"running"})";
}

ProxmoxHostOptions hostOptions() {
    ProxmoxHostOptions o;
    o.name = "lab";
    o.pveNodes = {"pve1", "pve2"};
    o.clusterName = "prod";
    o.api.tokenId = "root@pam!cv";
    o.api.tokenSecret = kSecret;
    return o;
}

std::string ctKey(const std::string& method, int vmid, const std::string& rest,
                  const std::string& node) {
    return method + " /nodes/" + node + "/lxc/" + std::to_string(vmid) + rest;
}

void scriptWorld(ScriptedHttpClient& http, const std::vector<Ct>& cts,
                 const std::vector<std::pair<std::string, std::string>>& nodes) {
    http.on("GET /cluster/resources", ok(resourcesJson(cts)), true);
    http.on("GET /nodes", ok(nodesJson(nodes)), true);
    for (const auto& ct : cts) {
        http.on(ctKey("GET", ct.vmid, "/config", ct.node), ok(configJson(ct)), true);
        http.on(ctKey("GET", ct.vmid, "/status/current", ct.node),
                ok(R"({"status":")" +
                   (ct.status == "unknown" ? std::string("running") : ct.status) + "\"}"),
                true);
    }
}

void scriptTask(ScriptedHttpClient& http, const std::string& key, const std::string& node,
                const std::string& type, int vmid, const std::string& exit) {
    const std::string u = upid(node, type, vmid);
    http.on(key, ok("\"" + u + "\""), true);
    http.on(taskStatusKey(u), ok(taskRunning()), true);
    http.on(taskStatusKey(u), ok(taskDone(exit)));
}

}  // namespace chainvisor::hosts::proxmox::test
