// Form parameters for the Proxmox API: application/x-www-form-urlencoded bodies (POST, PUT) and
// query strings (GET, DELETE). Every value is percent-encoded (all but A-Z a-z 0-9 - . _ ~), so
// ':' in volume ids, '/' in template paths, ',' and '=' in property strings and ';' in tags reach
// the server intact. Booleans are 0/1: PVE rejects "true" in form bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chainvisor::hosts::proxmox {

std::string percentEncode(std::string_view text);

class Form {
public:
    Form& text(std::string key, std::string value);
    Form& number(std::string key, std::int64_t value);
    Form& flag(std::string key, bool value);  // "1" or "0"

    bool empty() const { return items_.empty(); }
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
    // "k1=v1&k2=v2" in the order added.
    std::string encode() const;

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace chainvisor::hosts::proxmox
