#include "exposition.h"

#include <cstdlib>
#include <stdexcept>

namespace chainvisor::observe::test {

namespace {

[[noreturn]] void unreadable(std::string_view line, std::string_view why) {
    throw std::runtime_error("exposition line \"" + std::string(line) + "\": " + std::string(why));
}

// Reads `"value"` at `at` (just past the opening quote), undoing the format's escapes.
std::string quoted(std::string_view line, std::size_t& at) {
    std::string value;
    while (at < line.size() && line[at] != '"') {
        if (line[at] == '\\' && at + 1 < line.size()) {
            ++at;
            value += line[at] == 'n' ? '\n' : line[at];
        } else {
            value += line[at];
        }
        ++at;
    }
    if (at >= line.size()) {
        unreadable(line, "unterminated label value");
    }
    ++at;  // the closing quote
    return value;
}

ScrapedSample parseLine(std::string_view line) {
    ScrapedSample sample;
    std::size_t at = line.find_first_of("{ ");
    if (at == std::string_view::npos) {
        unreadable(line, "no value");
    }
    sample.name = std::string(line.substr(0, at));
    if (line[at] == '{') {
        ++at;
        while (at < line.size() && line[at] != '}') {
            const std::size_t eq = line.find('=', at);
            if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
                unreadable(line, "bad label");
            }
            std::string name(line.substr(at, eq - at));
            at = eq + 2;
            sample.labels[name] = quoted(line, at);
            if (at < line.size() && line[at] == ',') {
                ++at;
            }
        }
        if (at >= line.size()) {
            unreadable(line, "unterminated label set");
        }
        ++at;  // '}'
    }
    const std::string rest(line.substr(at));
    char* end = nullptr;
    sample.value = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str()) {
        unreadable(line, "no numeric value");
    }
    while (*end == ' ') {
        ++end;
    }
    sample.timestamped = *end != '\0';
    return sample;
}

}  // namespace

std::vector<ScrapedSample> parseExposition(std::string_view text) {
    std::vector<ScrapedSample> samples;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        samples.push_back(parseLine(line));
    }
    return samples;
}

std::vector<ScrapedSample> select(const std::vector<ScrapedSample>& samples, std::string_view name,
                                  const LabelSet& match) {
    std::vector<ScrapedSample> selected;
    for (const auto& s : samples) {
        if (s.name != name) {
            continue;
        }
        bool all = true;
        for (const auto& [label, value] : match) {
            const auto found = s.labels.find(label);
            all = all && found != s.labels.end() && found->second == value;
        }
        if (all) {
            selected.push_back(s);
        }
    }
    return selected;
}

std::optional<double> valueOf(const std::vector<ScrapedSample>& samples, std::string_view name,
                              const LabelSet& match) {
    const auto selected = select(samples, name, match);
    if (selected.size() > 1) {
        throw std::logic_error(std::to_string(selected.size()) + " samples of " +
                               std::string(name) + " match; add labels to the question");
    }
    if (selected.empty()) {
        return std::nullopt;
    }
    return selected.front().value;
}

}  // namespace chainvisor::observe::test
