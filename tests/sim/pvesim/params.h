// Parameter validation the way PVE::JSONSchema does it: the same order of checks (type, format,
// pattern, maxLength, minLength, maximum, minimum, enum) and the same messages, so that a 400
// "Parameter verification failed." carries exactly the per-parameter texts a real Proxmox VE
// sends. Form values are strings; a form boolean is only "0" or "1" ("true" is a type error).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pvesim {

enum class Type { String, Integer, Number, Boolean };

struct Prop;
// A property-string format ("name=eth0,bridge=vmbr0"): its keys.
using Format = std::vector<Prop>;

// A named format check: returns the error text ("value does not look like a valid node name\n",
// with PVE's trailing newline) or nothing.
using FormatCheck = std::optional<std::string> (*)(const std::string& value);

struct Prop {
    std::string name;
    Type type = Type::String;
    bool optional = true;
    std::optional<double> minimum;
    std::optional<double> maximum;
    std::optional<std::size_t> min_length;
    std::optional<std::size_t> max_length;
    std::vector<std::string> enumeration;
    std::string pattern;                      // anchored like PVE: ^(?:pattern)$
    FormatCheck format = nullptr;             // named format ("pve-node", "dns-name", …)
    const Format* property_format = nullptr;  // a property string with these keys
    bool default_key = false;                 // in a property string: the key-less value
    bool disk_size = false;                   // in a property string: printed with format_size
};

using Params = std::map<std::string, std::string>;
using Errors = std::map<std::string, std::string>;

// A method's parameters: name → schema. Unknown parameters are errors ("additionalProperties 0").
class Schema {
public:
    Schema() = default;
    Schema(std::initializer_list<Prop> props);
    Schema& add(Prop p);
    Schema& add_all(const Schema& other);
    const Prop* find(std::string_view name) const;
    const std::map<std::string, Prop, std::less<>>& props() const { return props_; }

private:
    std::map<std::string, Prop, std::less<>> props_;
};

// Checks one value against its property; adds at most one message under `path`.
void check_prop(const std::string& path, const Prop& prop, const std::string& value,
                Errors& errors);

// Checks every parameter and reports missing required ones.
Errors validate(const Schema& schema, const Params& params);

// Named formats used by the container API (each returns PVE's message on failure).
std::optional<std::string> format_pve_node(const std::string& v);
std::optional<std::string> format_pve_vmid(const std::string& v);
std::optional<std::string> format_dns_name(const std::string& v);
std::optional<std::string> format_storage_id(const std::string& v);
std::optional<std::string> format_configid_list(const std::string& v);
std::optional<std::string> format_snapshot_name(const std::string& v);
std::optional<std::string> format_tag_list(const std::string& v);
std::optional<std::string> format_ipv4_config(const std::string& v);
std::optional<std::string> format_ipv6_config(const std::string& v);
std::optional<std::string> format_ipv4(const std::string& v);
std::optional<std::string> format_ipv6(const std::string& v);
std::optional<std::string> format_mac_addr(const std::string& v);
std::optional<std::string> format_bridge_id(const std::string& v);
std::optional<std::string> format_disk_size(const std::string& v);
std::optional<std::string> format_poolid(const std::string& v);
std::optional<std::string> format_volume_id(const std::string& v);
std::optional<std::string> format_startup_order(const std::string& v);

bool is_integer(std::string_view v);
bool is_number(std::string_view v);

// PVE::Tools::split_list: splits on ';', ',', whitespace and NUL; drops empties.
std::vector<std::string> split_list(std::string_view text);

// Perl's stringification of a number bound ("100", "0.5", "999999999").
std::string number_text(double v);

// Standard options shared by the API methods.
Prop opt_node();
Prop opt_vmid();

}  // namespace pvesim
