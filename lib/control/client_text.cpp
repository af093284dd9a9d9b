#include "control/client_text.h"

namespace chainvisor::control {

std::string clientText(std::string_view text) {
    std::string out;
    const std::size_t keep = text.size() > kMaxEchoed ? kMaxEchoed : text.size();
    out.reserve(keep + 3);
    for (std::size_t i = 0; i < keep; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
    }
    if (keep < text.size()) {
        out += "...";
    }
    return out;
}

}  // namespace chainvisor::control
