#include "hosts/proxmox/json_fields.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace chainvisor::hosts::proxmox {
namespace {

const boost::json::value* find(const boost::json::object& object, std::string_view key) {
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &it->value();
}

}  // namespace

std::string textField(const boost::json::object& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr || v->is_null()) {
        return {};
    }
    if (const auto* s = v->if_string()) {
        return std::string(*s);
    }
    if (v->is_int64()) {
        return std::to_string(v->get_int64());
    }
    if (v->is_uint64()) {
        return std::to_string(v->get_uint64());
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (d == std::floor(d) && std::fabs(d) < 1e15) {
            return std::to_string(static_cast<std::int64_t>(d));
        }
        return std::to_string(d);
    }
    if (v->is_bool()) {
        return v->get_bool() ? "1" : "0";
    }
    return {};
}

std::optional<std::int64_t> integerField(const boost::json::object& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->get_int64();
    }
    if (v->is_uint64()) {
        const auto u = v->get_uint64();
        return u <= static_cast<std::uint64_t>(INT64_MAX) ? std::optional<std::int64_t>(u)
                                                          : std::nullopt;
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (d == std::floor(d) && std::fabs(d) < 9e18) {
            return static_cast<std::int64_t>(d);
        }
        return std::nullopt;
    }
    if (const auto* s = v->if_string()) {
        std::int64_t out = 0;
        const auto* end = s->data() + s->size();
        const auto [ptr, ec] = std::from_chars(s->data(), end, out);
        if (ec == std::errc() && ptr == end && !s->empty()) {
            return out;
        }
    }
    return std::nullopt;
}

std::optional<double> numberField(const boost::json::object& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return static_cast<double>(v->get_int64());
    }
    if (v->is_uint64()) {
        return static_cast<double>(v->get_uint64());
    }
    if (v->is_double()) {
        return v->get_double();
    }
    if (const auto* s = v->if_string()) {
        const std::string text(*s);
        char* end = nullptr;
        const double d = std::strtod(text.c_str(), &end);
        if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(d)) {
            return d;
        }
    }
    return std::nullopt;
}

}  // namespace chainvisor::hosts::proxmox
