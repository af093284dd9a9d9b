// Bytes from the kernel's CSPRNG (getrandom(2)), which blocks only until the pool is first
// seeded at boot and never returns predictable output.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace chainvisor::nodes::besu {

// Fills `out`; returns "" on success, else what failed.
std::string fillRandom(std::span<std::uint8_t> out);

}  // namespace chainvisor::nodes::besu
