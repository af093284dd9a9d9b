// Files that hold secrets (API token secrets, SSH keys, node keys) must exist, be regular files
// and be readable by their owner only: mode 0600 or stricter.
#pragma once

#include <string>

#include "spec/field_reader.h"
#include "spec/load.h"

namespace chainvisor::spec::detail {

// Reports, at `field`, a secret file at `path` that is missing, not a regular file, or open to
// group or others (saying its mode and the chmod that fixes it).
void checkSecretFile(Reader& reader, const Field& field, const std::string& path,
                     const FileProbe& files);

}  // namespace chainvisor::spec::detail
