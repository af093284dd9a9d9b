// "Did you mean …?" for misspelt keys, enumerated values and references to other entries.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::spec::detail {

// Optimal string alignment distance (insertions, deletions, substitutions, adjacent
// transpositions), ignoring ASCII case.
std::size_t editDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`: an exact match ignoring case; else the nearest within
// max(2, |word|/3) edits (and fewer edits than the longer word's length); else the first
// candidate that `word` is a prefix of (≥ 3 characters, e.g. memory → memoryMiB).
std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

// "did you mean 'type'?" when a candidate is close, else "accepted: a, b, c" (or
// `whenNone` when there are no candidates at all).
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view whenNone = "nothing is accepted here");

}  // namespace chainvisor::spec::detail
