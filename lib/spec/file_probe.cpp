#include <sys/stat.h>

#include "spec/load.h"

namespace chainvisor::spec {

std::optional<FileProbe::Info> SystemFileProbe::stat(const std::string& path) const {
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    return Info{S_ISREG(st.st_mode), static_cast<unsigned>(st.st_mode & 07777)};
}

}  // namespace chainvisor::spec
