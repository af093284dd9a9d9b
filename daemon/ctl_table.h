// Text in aligned columns for a terminal, optionally with colour. Widths count characters, not
// bytes, so "→" in a message does not shift the columns after it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::ctl {

struct Cell {
    std::string text;
    std::string_view colour = {};  // an ANSI SGR code ("31" red); shown only with colour on
};

class Table {
public:
    explicit Table(std::vector<std::string> headers);

    void add(std::vector<Cell> row);
    bool empty() const { return rows_.empty(); }

    // Columns two spaces apart; the last column is not padded (no trailing blanks).
    std::string render(bool colour) const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<Cell>> rows_;
};

// Characters in UTF-8 text.
std::size_t displayWidth(std::string_view text);

}  // namespace chainvisor::ctl
