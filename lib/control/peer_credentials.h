// Who is at the other end of a Unix socket, as the kernel recorded it at connect() time
// (SO_PEERCRED, SO_PEERGROUPS), and whether that peer may change things.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chainvisor::control {

struct PeerCredentials {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::vector<gid_t> groups;  // supplementary groups; see readPeerCredentials
};

// nullopt and `error` set when the kernel will not say (not a Unix socket).
std::optional<PeerCredentials> readPeerCredentials(int fd, std::string& error);

// The user's name from the user database, or "uid N" when it has none. May consult NSS
// (LDAP, sssd): call it off the io thread.
std::string userName(uid_t uid);

// The gid of a group by name, or nullopt when there is no such group.
std::optional<gid_t> groupId(const std::string& name);

// Mutating requests are for root, the daemon's own user and members of one group
// ("chainvisor"); everyone who can connect may read.
class Authorizer {
public:
    // `gid` nullopt: there is no such group, so only root and the daemon's user may change.
    Authorizer(std::string groupName, std::optional<gid_t> gid);

    bool mayChange(const PeerCredentials& peer) const;
    // For refusals: "root or members of group 'chainvisor'".
    std::string whoMayChange() const;
    const std::string& groupName() const { return groupName_; }
    std::optional<gid_t> gid() const { return gid_; }

private:
    std::string groupName_;
    std::optional<gid_t> gid_;
    uid_t self_;
};

}  // namespace chainvisor::control
