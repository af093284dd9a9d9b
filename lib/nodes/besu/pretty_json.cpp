#include "nodes/besu/pretty_json.h"

#include <boost/json/serialize.hpp>

namespace chainvisor::nodes::besu {
namespace {

namespace json = boost::json;

void write(const json::value& value, int depth, std::string& out) {
    const std::string inner(static_cast<std::size_t>(2 * (depth + 1)), ' ');
    const std::string outer(static_cast<std::size_t>(2 * depth), ' ');
    if (const auto* object = value.if_object()) {
        if (object->empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        bool first = true;
        for (const auto& member : *object) {
            out += first ? "" : ",\n";
            first = false;
            out += inner + json::serialize(json::string_view(member.key())) + ": ";
            write(member.value(), depth + 1, out);
        }
        out += "\n" + outer + "}";
        return;
    }
    if (const auto* array = value.if_array()) {
        if (array->empty()) {
            out += "[]";
            return;
        }
        out += "[\n";
        for (std::size_t i = 0; i < array->size(); ++i) {
            out += (i == 0 ? "" : ",\n") + inner;
            write((*array)[i], depth + 1, out);
        }
        out += "\n" + outer + "]";
        return;
    }
    out += json::serialize(value);  // scalars, strings escaped as JSON requires
}

}  // namespace

std::string prettyJson(const boost::json::value& value) {
    std::string out;
    write(value, 0, out);
    return out + "\n";
}

}  // namespace chainvisor::nodes::besu
