// Property strings ("name=eth0,bridge=vmbr0,ip=dhcp", "local-lvm:vm-100-disk-0,size=8G") parsed
// and printed like PVE::JSONSchema: printing puts the default key's bare value first, then the
// required keys, then the rest, each group sorted, so values come back normalised.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "params.h"

namespace pvesim {

using PropertyValues = std::map<std::string, std::string>;

// Parses `text` against `format`; on failure returns nothing and sets `error` to the text PVE
// puts after "invalid format - " (e.g. "format error\nnet0.name: property is missing and it is
// not optional\n"). `path` prefixes the keys in nested messages. Booleans are normalised to 0/1.
std::optional<PropertyValues> parse_property_string(const Format& format, std::string_view text,
                                                    const std::string& path, std::string& error);

// Prints values in PVE's canonical order. Keys not in `format` are skipped.
std::string print_property_string(const Format& format, const PropertyValues& values);

// "8G" → 8589934592; "512" → 512 (bytes); nothing when malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);
// 8589934592 → "8G"; 1536 → "1536" … like PVE::JSONSchema::format_size.
std::string format_size(std::uint64_t bytes);

}  // namespace pvesim
