#include "control/peer_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace chainvisor::control {
namespace {

constexpr std::size_t kMaxGroups = 65536;  // NGROUPS_MAX on Linux

std::size_t lookupBufferSize() {
    const long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    return size > 0 ? static_cast<std::size_t>(size) : 16384;
}

// The peer's supplementary groups as the kernel holds them for the connecting process: the
// credentials that the socket file's permissions were checked against.
bool readPeerGroups(int fd, std::vector<gid_t>& groups) {
    groups.resize(16);
    while (true) {
        socklen_t length = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &length) == 0) {
            groups.resize(length / sizeof(gid_t));
            return true;
        }
        // ERANGE: `length` now says how much is needed.
        if (errno != ERANGE || length / sizeof(gid_t) > kMaxGroups) {
            groups.clear();
            return false;
        }
        groups.resize(length / sizeof(gid_t));
    }
}

// The groups the user database gives the uid, for kernels without SO_PEERGROUPS (before 4.13).
std::vector<gid_t> databaseGroups(uid_t uid, gid_t gid) {
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(lookupBufferSize());
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
        return {};
    }
    std::vector<gid_t> groups(64);
    int count = static_cast<int>(groups.size());
    if (::getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(std::max(count, 0)));
        if (::getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) {
            return {};
        }
    }
    groups.resize(static_cast<std::size_t>(std::max(count, 0)));
    return groups;
}

}  // namespace

std::optional<PeerCredentials> readPeerCredentials(int fd, std::string& error) {
    struct ucred cred {};
    socklen_t length = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
        error = std::string("cannot read the peer's credentials: ") + std::strerror(errno);
        return std::nullopt;
    }
    PeerCredentials peer{cred.uid, cred.gid, cred.pid, {}};
    if (!readPeerGroups(fd, peer.groups)) {
        peer.groups = databaseGroups(peer.uid, peer.gid);
    }
    return peer;
}

std::string userName(uid_t uid) {
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(lookupBufferSize());
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
        return "uid " + std::to_string(uid);
    }
    return found->pw_name;
}

std::optional<gid_t> groupId(const std::string& name) {
    struct group entry {};
    struct group* found = nullptr;
    const long hint = ::sysconf(_SC_GETGR_R_SIZE_MAX);
    std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    while (true) {
        const int rc = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0 || !found) {
            return std::nullopt;
        }
        return found->gr_gid;
    }
}

Authorizer::Authorizer(std::string groupName, std::optional<gid_t> gid)
    : groupName_(std::move(groupName)), gid_(gid), self_(::geteuid()) {}

bool Authorizer::mayChange(const PeerCredentials& peer) const {
    if (peer.uid == 0 || peer.uid == self_) {
        return true;
    }
    if (!gid_) {
        return false;
    }
    return peer.gid == *gid_ ||
           std::find(peer.groups.begin(), peer.groups.end(), *gid_) != peer.groups.end();
}

std::string Authorizer::whoMayChange() const {
    if (!gid_) {
        return "root (group '" + groupName_ + "' does not exist)";
    }
    return "root or members of group '" + groupName_ + "'";
}

}  // namespace chainvisor::control
