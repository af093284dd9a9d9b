#include "nodes/besu/secret.h"

#include <string.h>

namespace chainvisor::nodes::besu {

void wipe(std::span<std::uint8_t> bytes) {
    if (!bytes.empty()) {
        ::explicit_bzero(bytes.data(), bytes.size());
    }
}

void wipe(std::string& text) {
    text.resize(text.capacity());
    ::explicit_bzero(text.data(), text.size());
    text.clear();
}

}  // namespace chainvisor::nodes::besu
