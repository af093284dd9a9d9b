// Checking a cluster file offline (--check-config, --plan) that names a secret the way the unit
// hands it over: /run/credentials/chainvisord.service/chainvisor_<name> exists only inside the
// running service (LoadCredential=chainvisor:/etc/chainvisor/credentials). Outside it, such a
// path is checked at its source, /etc/chainvisor/credentials/<name>, so an operator can validate
// the file before starting the service. The daemon itself reads the real path.
#pragma once

#include <filesystem>
#include <string>

#include "spec/load.h"

namespace chainvisor::daemon {

inline constexpr std::string_view kCredentialPrefix =
    "/run/credentials/chainvisord.service/chainvisor_";
inline constexpr std::string_view kCredentialSource = "/etc/chainvisor/credentials";

class CredentialFileProbe final : public spec::FileProbe {
public:
    explicit CredentialFileProbe(const spec::FileProbe& files,
                                 std::filesystem::path source = std::string(kCredentialSource))
        : files_(files), source_(std::move(source)) {}

    std::optional<Info> stat(const std::string& path) const override;

private:
    const spec::FileProbe& files_;
    std::filesystem::path source_;
};

}  // namespace chainvisor::daemon
