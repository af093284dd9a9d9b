#include "ctl_table.h"

#include <algorithm>

namespace chainvisor::ctl {

std::size_t displayWidth(std::string_view text) {
    // Every byte but UTF-8 continuation bytes (10xxxxxx) starts a character.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add(std::vector<Cell> row) {
    row.resize(headers_.size());
    rows_.push_back(std::move(row));
}

std::string Table::render(bool colour) const {
    std::vector<std::size_t> widths(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) {
        widths[c] = displayWidth(headers_[c]);
        for (const auto& row : rows_) {
            widths[c] = std::max(widths[c], displayWidth(row[c].text));
        }
    }
    std::string out;
    const auto line = [&](const std::vector<Cell>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const auto& cell = cells[c];
            const bool last = c + 1 == cells.size();
            if (colour && !cell.colour.empty()) {
                out += "\x1b[" + std::string(cell.colour) + "m" + cell.text + "\x1b[0m";
            } else {
                out += cell.text;
            }
            if (!last) {
                out.append(widths[c] - displayWidth(cell.text) + 2, ' ');
            }
        }
        // A blank last column would leave the padding of the one before it.
        while (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        out += '\n';
    };
    std::vector<Cell> header;
    for (const auto& h : headers_) {
        header.push_back({h, {}});
    }
    line(header);
    for (const auto& row : rows_) {
        line(row);
    }
    return out;
}

}  // namespace chainvisor::ctl
