#include "spec/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace chainvisor::spec::detail {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool equalIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::size_t editDistance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    // Three rows: the one before the previous is needed for transpositions.
    std::vector<std::size_t> twoBack(m + 1), previous(m + 1), current(m + 1);
    for (std::size_t j = 0; j <= m; ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1])) {
                current[j] = std::min(current[j], twoBack[j - 2] + 1);
            }
        }
        std::swap(twoBack, previous);
        std::swap(previous, current);
    }
    return previous[m];
}

std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
    for (const auto& candidate : candidates) {
        if (equalIgnoringCase(word, candidate)) {
            return candidate;
        }
    }
    // Long inputs cannot be a typo of a short key; skip the quadratic work.
    if (word.size() > 200) {
        return std::nullopt;
    }
    const std::size_t threshold = std::max<std::size_t>(2, word.size() / 3);
    const std::string* best = nullptr;
    std::size_t bestDistance = 0;
    for (const auto& candidate : candidates) {
        const std::size_t d = editDistance(word, candidate);
        if (d <= threshold && d < std::max(word.size(), candidate.size()) &&
            (best == nullptr || d < bestDistance)) {
            best = &candidate;
            bestDistance = d;
        }
    }
    if (best != nullptr) {
        return *best;
    }
    if (word.size() >= 3) {
        for (const auto& candidate : candidates) {
            if (candidate.size() > word.size() &&
                equalIgnoringCase(word, std::string_view(candidate).substr(0, word.size()))) {
                return candidate;
            }
        }
    }
    return std::nullopt;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view whenNone) {
    if (auto match = closestMatch(word, candidates)) {
        return "did you mean '" + *match + "'?";
    }
    if (candidates.empty()) {
        return std::string(whenNone);
    }
    constexpr std::size_t kListed = 12;  // a long list of names helps nobody
    std::string out = "accepted: ";
    for (std::size_t i = 0; i < candidates.size() && i < kListed; ++i) {
        out += (i == 0 ? "" : ", ") + candidates[i];
    }
    if (candidates.size() > kListed) {
        out += ", … (" + std::to_string(candidates.size() - kListed) + " more)";
    }
    return out;
}

}  // namespace chainvisor::spec::detail
