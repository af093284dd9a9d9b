// The control protocol's JSON shapes, in one place for both ends: the server writes views with
// toJson, chainvisorctl reads them back with the *FromJson functions. Reading is lenient (a
// missing or mistyped field keeps its default) so a client survives a daemon one version apart.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <vector>

#include "control/control_api.h"

namespace chainvisor::control {

boost::json::object toJson(const NodeView& node);
boost::json::object toJson(const NetworkView& network);
boost::json::object toJson(const PlanView& plan);
boost::json::object toJson(const EventView& event);
boost::json::array toJson(const std::vector<EventView>& events);

NodeView nodeFromJson(const boost::json::value& value);
NetworkView networkFromJson(const boost::json::value& value);
PlanView planFromJson(const boost::json::value& value);
EventView eventFromJson(const boost::json::value& value);

}  // namespace chainvisor::control
