// The file a listening Unix socket is reached through: never clobbering a live server's socket,
// never exposing ours with looser permissions than asked, and removing only our own at the end.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace chainvisor::control {

// sun_path's size: longer paths cannot be bound.
inline constexpr std::size_t kMaxSocketPath = 107;

// Makes room for a new socket at `path`: nothing there is fine; a socket nobody answers on (a
// daemon that died) is removed. Refuses (returns why) when something else is there or a server
// answers on it.
std::string clearStaleSocket(const std::filesystem::path& path);

// A name beside `path` to bind first, so the socket appears at `path` only once its owner, group
// and mode are right.
std::filesystem::path temporarySocketPath(const std::filesystem::path& path);

// The socket bound at `temporary` gets `group` (when set) and `mode`, then is linked to `path`
// (which fails if something appeared there meanwhile) and the temporary name removed. On success
// returns "" and sets `identity` to the file's device and inode, for removeSocketIfOurs.
struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
};
std::string publishSocket(const std::filesystem::path& temporary, const std::filesystem::path& path,
                          std::optional<gid_t> group, mode_t mode, FileIdentity& identity);

// Removes `path` if it is still the socket we published (a successor may have replaced it).
void removeSocketIfOurs(const std::filesystem::path& path, const FileIdentity& identity);

}  // namespace chainvisor::control
