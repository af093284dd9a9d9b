// The textual formats of cluster-file values that are plain strings to YAML: names, host names,
// paths, URLs, token ids, fingerprints, checksums. Pure functions; the readers turn a rejection
// into a located diagnostic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chainvisor::spec::detail {

// ^[a-z][a-z0-9-]{0,maxLength-1}$: cluster (31), host, network and node (63) names.
bool isName(std::string_view text, std::size_t maxLength);
// ^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$: a Proxmox VE node name.
bool isPveNodeName(std::string_view text);
// An RFC 1123 label: letters, digits and '-', 1..63, neither starting nor ending with '-'.
bool isHostnameLabel(std::string_view text);
// A DNS host name: dot-separated RFC 1123 labels, ≤ 253 characters, not all-numeric at the end.
bool isDnsName(std::string_view text);
// A Linux network interface name: 1..15 of [A-Za-z0-9_.-].
bool isInterfaceName(std::string_view text);
// ^[A-Z_][A-Z0-9_]*$
bool isEnvName(std::string_view text);
// Starts with '/', no NUL, no "." or ".." component.
bool isAbsolutePath(std::string_view text);
// ^[a-z0-9][a-z0-9-]*$: a node config key (a Besu option name without "--").
bool isConfigKey(std::string_view text);
// ^[a-z0-9]([a-z0-9._/-]{0,62})$
bool isLabelKey(std::string_view text);
// A Proxmox storage id: ^[a-zA-Z][a-zA-Z0-9_.-]*$, ≤ 64.
bool isStorageId(std::string_view text);
// A Linux user name: ^[a-z_][a-z0-9_-]*$, ≤ 32.
bool isUserName(std::string_view text);
// USER@REALM!TOKENID, as Proxmox VE accepts them.
bool isTokenId(std::string_view text);

// A checked and normalised value, or why it was refused ("what is wrong; what is accepted").
struct Checked {
    std::string value;
    std::string error;  // empty when the value is good
    bool ok() const { return error.empty(); }
};

// https://HOST[:PORT][/api2/json] → "https://HOST:PORT/api2/json" (port 8006 by default).
Checked checkApiUrl(std::string_view text);
// http(s)://HOST[:PORT]/…, kept as written.
Checked checkDownloadUrl(std::string_view text);
// 32 colon-separated hex bytes → upper-case.
Checked checkFingerprint(std::string_view text);
// 64 hex digits → lower-case.
Checked checkSha256(std::string_view text);

}  // namespace chainvisor::spec::detail
