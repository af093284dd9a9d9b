// `pct listsnapshot VMID`: the snapshot tree pve-guest-common's print_snapshot_tree draws, one
// snapshot a line, children indented under their parent, "current" (where the container is now)
// last in its branch:
//
//   `-> before-upgrade            2025-01-12 10:00:01     no-description
//     `-> nightly                 2025-01-13 03:00:00     nightly run
//       `-> current                                       You are here!
//
// A name is the word after "`-> "; "current" is not a snapshot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::hosts::pct {

std::vector<std::string> parsePctSnapshots(std::string_view text);

}  // namespace chainvisor::hosts::pct
