#include "hosts/pct/pct_list.h"

#include <charconv>
#include <cstdint>
#include <utility>

namespace chainvisor::hosts::pct {
namespace {

constexpr std::string_view kBlanks = " \t";
constexpr std::int64_t kMaxVmid = 999'999'999;

struct Word {
    std::string_view text;
    std::size_t column = 0;
};

std::vector<Word> wordsOf(std::string_view line) {
    std::vector<Word> out;
    std::size_t i = 0;
    while (true) {
        const auto b = line.find_first_not_of(kBlanks, i);
        if (b == std::string_view::npos) {
            break;
        }
        auto e = line.find_first_of(kBlanks, b);
        if (e == std::string_view::npos) {
            e = line.size();
        }
        out.push_back(Word{line.substr(b, e - b), b});
        i = e;
    }
    return out;
}

std::string_view trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(kBlanks);
    if (b == std::string_view::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

Error unexpected(int number, std::string_view line, std::string_view why) {
    return Error::transient("unexpected output of pct list, line " + std::to_string(number) +
                            " ('" + std::string(line.substr(0, 80)) + "'): " + std::string(why));
}

}  // namespace

Result<std::vector<PctListEntry>> parsePctList(std::string_view text) {
    std::vector<PctListEntry> out;
    std::size_t nameColumn = std::string_view::npos;
    int number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        const auto words = wordsOf(line);
        if (words.empty()) {
            continue;
        }
        if (nameColumn == std::string_view::npos) {
            if (words.size() != 4 || words[0].text != "VMID" || words[1].text != "Status" ||
                words[2].text != "Lock" || words[3].text != "Name") {
                return unexpected(number, line, "expected the header 'VMID Status Lock Name'");
            }
            nameColumn = words[3].column;
            continue;
        }
        if (words.size() < 2 || words.size() > 4) {
            return unexpected(number, line, "expected VMID, status, lock and name");
        }
        PctListEntry e;
        std::int64_t vmid = 0;
        const auto id = words[0].text;
        const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), vmid);
        if (ec != std::errc() || ptr != id.data() + id.size() || vmid < 1 || vmid > kMaxVmid) {
            return unexpected(number, line, "the first column is not a vmid");
        }
        e.vmid = static_cast<int>(vmid);
        e.status = std::string(words[1].text);
        if (words.size() == 4) {
            e.lock = std::string(words[2].text);
            e.name = std::string(words[3].text);
        } else if (words.size() == 3) {
            (words[2].column < nameColumn ? e.lock : e.name) = std::string(words[2].text);
        }
        e.line = std::string(trimmed(line));
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace chainvisor::hosts::pct
