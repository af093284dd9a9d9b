// Tolerant field access for Proxmox JSON: the API is Perl underneath, so a number may arrive as a
// JSON number or as a string ("vmid":"100", "maxcpu":2.0), and optional fields may be absent.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::hosts::proxmox {

// The field as text: strings as they are, numbers printed; "" when absent or null.
std::string textField(const boost::json::object& object, std::string_view key);
// An integer field (number, or a string of digits); nullopt when absent or not integral.
std::optional<std::int64_t> integerField(const boost::json::object& object, std::string_view key);
// A number field (integer or fractional, or such a string).
std::optional<double> numberField(const boost::json::object& object, std::string_view key);

}  // namespace chainvisor::hosts::proxmox
