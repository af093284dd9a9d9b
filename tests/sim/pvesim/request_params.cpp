#include "request_params.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace pvesim {

std::string url_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    auto hexval = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() && hexval(text[i + 1]) >= 0 &&
                   hexval(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexval(text[i + 1]) * 16 + hexval(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Params decode_urlencoded(std::string_view text) {
    Params out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find_first_of("&;", start);
        std::string_view kv = text.substr(start, end == std::string_view::npos ? end : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        if (kv.empty()) {
            continue;
        }
        auto eq = kv.find('=');
        std::string k = url_decode(kv.substr(0, eq), true);
        std::string v = eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1), true);
        auto it = out.find(k);
        if (it != out.end()) {
            it->second += std::string(1, '\0') + v;
        } else {
            out[k] = v;
        }
    }
    return out;
}

std::optional<Params> request_params(const std::string& method, std::string_view content_type,
                                     std::string_view body, std::string_view query,
                                     std::string& error) {
    Params params;
    if (method == "POST" || method == "PUT") {
        std::string_view ct = content_type.substr(0, content_type.find(';'));
        while (!ct.empty() && ct.back() == ' ') {
            ct.remove_suffix(1);
        }
        if (ct == "application/json") {
            boost::system::error_code ec;
            boost::json::value v = boost::json::parse(body, ec);
            if (ec || !v.is_object()) {
                error =
                    ec ? "malformed JSON string: " + ec.message() : "JSON text must be an object";
                return std::nullopt;
            }
            for (const auto& [k, val] : v.as_object()) {
                std::string key(k);
                if (val.is_string()) {
                    params[key] = std::string(val.as_string());
                } else if (val.is_bool()) {
                    params[key] = val.as_bool() ? "1" : "0";
                } else if (val.is_int64()) {
                    params[key] = std::to_string(val.as_int64());
                } else if (val.is_uint64()) {
                    params[key] = std::to_string(val.as_uint64());
                } else if (val.is_double()) {
                    params[key] = boost::json::serialize(val);
                } else if (val.is_null()) {
                    continue;  // undef: as if not given
                } else {
                    params[key] =
                        val.is_object() ? "HASH(0x55d0c0ffee00)" : "ARRAY(0x55d0c0ffee00)";
                }
            }
        } else {
            params = decode_urlencoded(body);
        }
    }
    for (auto& [k, v] : decode_urlencoded(query)) {
        params[k] = v;
    }
    params.erase("_dc");  // ExtJS cache buster, dropped by pveproxy
    return params;
}

bool match_path(std::string_view pattern, std::string_view path,
                std::vector<std::pair<std::string, std::string>>& captures) {
    captures.clear();
    auto next = [](std::string_view& s) -> std::optional<std::string_view> {
        if (s.empty()) {
            return std::nullopt;
        }
        if (s.front() == '/') {
            s.remove_prefix(1);
        }
        auto slash = s.find('/');
        std::string_view seg = s.substr(0, slash);
        s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
        return seg;
    };
    while (!path.empty() && path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    std::string_view p = pattern;
    std::string_view q = path;
    while (true) {
        auto ps = next(p);
        auto qs = next(q);
        if (!ps && !qs) {
            return true;
        }
        if (!ps || !qs) {
            return false;
        }
        if (ps->size() > 2 && ps->front() == '{' && ps->back() == '}') {
            if (qs->empty()) {
                return false;
            }
            captures.emplace_back(std::string(ps->substr(1, ps->size() - 2)),
                                  url_decode(*qs, false));
        } else if (*ps != *qs) {
            return false;
        }
    }
}

}  // namespace pvesim
