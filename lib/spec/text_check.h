// Is a cluster file text at all? Finds the first byte that makes it binary or not UTF-8, so a
// wrong file (an image, a UTF-16 export, a truncated download) gets one clear error before YAML.
#pragma once

#include <optional>
#include <string_view>

#include "spec/diagnostic.h"

namespace chainvisor::spec::detail {

struct NonTextByte {
    unsigned char byte = 0;
    Location where;  // 1-based line and byte column
};

// The first NUL, control character other than tab/LF/CR, or byte that starts an invalid UTF-8
// sequence (overlong forms, surrogates and code points above U+10FFFF included).
std::optional<NonTextByte> findNonText(std::string_view text);

}  // namespace chainvisor::spec::detail
