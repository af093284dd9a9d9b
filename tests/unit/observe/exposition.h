// Reads the text exposition format back, so tests check what Prometheus would see rather than
// the registry's internals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::observe::test {

using LabelSet = std::map<std::string, std::string>;

struct ScrapedSample {
    std::string name;
    LabelSet labels;
    double value = 0;
    bool timestamped = false;  // a timestamp followed the value
};

// Every sample line of `text`; comments are skipped. Throws on a line it cannot read.
std::vector<ScrapedSample> parseExposition(std::string_view text);

// The samples named `name` whose labels include all of `match`.
std::vector<ScrapedSample> select(const std::vector<ScrapedSample>& samples, std::string_view name,
                                  const LabelSet& match = {});

// The value of the one sample named `name` with labels including `match`; empty when there is
// none. Throws when several match: the test asked an ambiguous question.
std::optional<double> valueOf(const std::vector<ScrapedSample>& samples, std::string_view name,
                              const LabelSet& match = {});

}  // namespace chainvisor::observe::test
