#include "credential_probe.h"

namespace chainvisor::daemon {

std::optional<spec::FileProbe::Info> CredentialFileProbe::stat(const std::string& path) const {
    if (auto info = files_.stat(path)) {
        return info;  // inside the service, or a file that is simply there
    }
    if (!path.starts_with(kCredentialPrefix)) {
        return std::nullopt;
    }
    const std::string name = path.substr(kCredentialPrefix.size());
    if (name.empty() || name.find('/') != std::string::npos) {
        return std::nullopt;
    }
    return files_.stat((source_ / name).string());
}

}  // namespace chainvisor::daemon
