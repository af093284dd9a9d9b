// Key material in memory: wiped when no longer needed, so that a later core dump, a swapped page
// or a reused heap block does not hold it. Wiping uses explicit_bzero, which the compiler may not
// drop as a dead store.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace chainvisor::nodes::besu {

void wipe(std::span<std::uint8_t> bytes);
// The string's whole buffer (its capacity, not only its size), then clears it.
void wipe(std::string& text);

}  // namespace chainvisor::nodes::besu
