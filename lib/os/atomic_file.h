// Writing a file so that a crash at any moment leaves either the old content or the new, never a
// mix: write a temporary file beside it, fsync it, rename it over the target, fsync the directory.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace chainvisor::os {

// Returns an empty string on success, else what failed (with strerror). Content is never quoted
// in the error (keys are written this way).
std::string writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                                unsigned mode);

// Removes a file and makes the removal durable; a missing file is not an error.
std::string removeFileDurably(const std::filesystem::path& path);

// Creates `dir` (and parents) with `mode` if missing; an error if it exists as something else.
std::string ensureDirectory(const std::filesystem::path& dir, unsigned mode);

}  // namespace chainvisor::os
