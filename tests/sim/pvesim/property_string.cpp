#include "property_string.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pvesim {

namespace {

const Prop* find_key(const Format& format, std::string_view key) {
    for (const auto& p : format) {
        if (p.name == key) {
            return &p;
        }
    }
    return nullptr;
}

std::optional<std::string> parse_boolean(const std::string& v) {
    std::string l = v;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    if (l == "1" || l == "on" || l == "yes" || l == "true") {
        return "1";
    }
    if (l == "0" || l == "off" || l == "no" || l == "false") {
        return "0";
    }
    return std::nullopt;
}

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

std::optional<PropertyValues> parse_property_string(const Format& format, std::string_view text,
                                                    const std::string& path, std::string& error) {
    PropertyValues res;
    const Prop* default_key = nullptr;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        std::string_view part = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (blank(part)) {
            continue;
        }
        std::size_t eq = part.find('=');
        if (eq != std::string_view::npos && eq > 0 && eq + 1 < part.size()) {
            std::string k(part.substr(0, eq));
            std::string v(part.substr(eq + 1));
            if (res.count(k) != 0) {
                error = "duplicate key in comma-separated list property: " + k + "\n";
                return std::nullopt;
            }
            const Prop* schema = find_key(format, k);
            if (schema == nullptr) {
                error = "invalid key in comma-separated list property: " + k + "\n";
                return std::nullopt;
            }
            if (schema->type == Type::Boolean) {
                v = parse_boolean(v).value_or(v);
            }
            res[k] = v;
        } else if (eq == std::string_view::npos) {
            if (default_key != nullptr) {
                error =
                    "duplicate key in comma-separated list property: " + default_key->name + "\n";
                return std::nullopt;
            }
            for (const auto& p : format) {
                if (p.default_key) {
                    default_key = &p;
                }
            }
            if (default_key == nullptr) {
                error = "value without key, but schema does not define a default key\n";
                return std::nullopt;
            }
            if (res.count(default_key->name) != 0) {
                error =
                    "duplicate key in comma-separated list property: " + default_key->name + "\n";
                return std::nullopt;
            }
            res[default_key->name] = std::string(part);
        } else {
            error = "missing key in comma-separated list property\n";
            return std::nullopt;
        }
    }

    Errors errors;
    for (const auto& p : format) {
        std::string sub = path.empty() ? p.name : path + "." + p.name;
        auto it = res.find(p.name);
        if (it == res.end()) {
            if (!p.optional) {
                errors[sub] = "property is missing and it is not optional";
            }
            continue;
        }
        check_prop(sub, p, it->second, errors);
    }
    if (!errors.empty()) {
        error = "format error\n";
        for (const auto& [k, msg] : errors) {
            error += k + ": " + msg + "\n";
        }
        return std::nullopt;
    }
    return res;
}

std::string print_property_string(const Format& format, const PropertyValues& values) {
    std::string out;
    auto add = [&](const std::string& text) {
        if (!out.empty()) {
            out += ',';
        }
        out += text;
    };
    std::vector<const Prop*> sorted;
    const Prop* default_key = nullptr;
    for (const auto& p : format) {
        if (p.default_key) {
            default_key = &p;
        } else {
            sorted.push_back(&p);
        }
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const Prop* a, const Prop* b) { return a->name < b->name; });
    auto value_text = [](const Prop& p, const std::string& v) {
        if (p.disk_size) {
            if (auto bytes = parse_size(v)) {
                return format_size(*bytes);
            }
        }
        return v;
    };
    if (default_key != nullptr) {
        auto it = values.find(default_key->name);
        if (it != values.end()) {
            add(it->second);
        }
    }
    for (int pass = 0; pass < 2; ++pass) {
        for (const Prop* p : sorted) {
            if ((pass == 0) == p->optional) {
                continue;  // required keys first, then the optional ones
            }
            auto it = values.find(p->name);
            if (it != values.end()) {
                add(p->name + "=" + value_text(*p, it->second));
            }
        }
    }
    return out;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        ++i;
    }
    if (i == 0) {
        return std::nullopt;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        std::size_t frac = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            ++i;
        }
        if (i == frac) {
            return std::nullopt;
        }
    }
    double number = std::strtod(std::string(text.substr(0, i)).c_str(), nullptr);
    double mult = 1;
    if (i < text.size()) {
        switch (text[i]) {
            case 'K':
                mult = 1024.0;
                break;
            case 'M':
                mult = 1024.0 * 1024;
                break;
            case 'G':
                mult = 1024.0 * 1024 * 1024;
                break;
            case 'T':
                mult = 1024.0 * 1024 * 1024 * 1024;
                break;
            default:
                return std::nullopt;
        }
        ++i;
    }
    if (i != text.size()) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(std::floor(number * mult));
}

std::string format_size(std::uint64_t size) {
    std::uint64_t kb = size / 1024;
    if (kb * 1024 != size) {
        return std::to_string(size);
    }
    std::uint64_t mb = kb / 1024;
    if (mb * 1024 != kb) {
        return std::to_string(kb) + "K";
    }
    std::uint64_t gb = mb / 1024;
    if (gb * 1024 != mb) {
        return std::to_string(mb) + "M";
    }
    std::uint64_t tb = gb / 1024;
    if (tb * 1024 != gb) {
        return std::to_string(gb) + "G";
    }
    return std::to_string(tb) + "T";
}

}  // namespace pvesim
