// TOML (v1.0.0) for flat files of key = value, as Besu's config.toml and permissions file are:
// strings as basic strings with every character TOML requires escaped, so that no value can end
// its string early or start a new key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chainvisor::nodes::besu {

// The value types of the cluster file's passthrough `config` (spec::ConfigValue is this type).
using TomlValue = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

// A basic string: "…" with \" \\ \b \t \n \f \r and \uXXXX for other control characters.
std::string tomlString(std::string_view text);

// A bare key when it is one (A-Z a-z 0-9 _ -), else a quoted key.
std::string tomlKey(std::string_view key);

std::string tomlValue(const TomlValue& value);

// key=value and a newline.
std::string tomlLine(std::string_view key, const TomlValue& value);

}  // namespace chainvisor::nodes::besu
