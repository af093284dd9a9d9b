// JSON as people read it and as a fingerprint needs it: keys in the order they were inserted,
// two-space indentation, one member or element a line, a final newline. The same value always
// gives the same bytes.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace chainvisor::nodes::besu {

std::string prettyJson(const boost::json::value& value);

}  // namespace chainvisor::nodes::besu
