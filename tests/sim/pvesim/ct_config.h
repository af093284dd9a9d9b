// One container's configuration as pve-container keeps it in nodes/NODE/lxc/VMID.conf: the main
// section, the [pve:pending] section and one section per snapshot. The raw text is rendered the
// way write_pct_config does, and the digest clients send back on PUT is the SHA-1 of that text.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <set>
#include <string>

namespace pvesim {

using ConfigMap = std::map<std::string, std::string>;

struct CtConfig {
    ConfigMap values;   // the main section; "description" is rendered as '#' comments
    ConfigMap pending;  // changes waiting for the next start; "delete" lists removals
    std::map<std::string, ConfigMap> snapshots;

    std::string render() const;
    std::string digest() const;  // sha1 hex of render()

    std::set<std::string> pending_deletes() const;
    void add_pending_delete(const std::string& key);
    void remove_pending_delete(const std::string& key);

    // The config with pending values merged (unless `current`), like load_current_config.
    ConfigMap effective(bool current) const;
};

// Typed JSON view of a config section: integers and booleans as numbers, the rest as strings.
boost::json::object config_json(const ConfigMap& values);

// SHA-1 / SHA-256 helpers (lower-case hex).
std::string sha1_hex(const std::string& data);

}  // namespace pvesim
