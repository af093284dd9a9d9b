// `pct list`: the containers of the node pct runs on, one line each, as pve-container prints
// them with printf("%-10s %-10s %-12s %-20s\n", vmid, status, lock, name) under the header
//
//   VMID       Status     Lock         Name
//   101        running                 val1
//   102        stopped    snapshot     val2
//
// Lock is usually empty; Name is the hostname with white space removed ("CT<vmid>" when none is
// set), so a field never holds a blank, but a value longer than its column (lock
// "snapshot-delete") pushes the next one to the right. Fields are therefore read as words, and a
// line with one word after the status is a lock when it starts left of the header's "Name"
// column, a name otherwise. No containers: pct prints nothing at all, not even the header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hosts/result.h"

namespace chainvisor::hosts::pct {

struct PctListEntry {
    int vmid = 0;
    std::string status;  // running, stopped (anything else is taken as unknown)
    std::string lock;    // "" when none
    std::string name;
    // The line without leading and trailing blanks, as `read -r line` in sh sees it: what the
    // observation script compares to decide whether a container changed (observe_script.h).
    std::string line;
};

// The entries in the order printed; a Transient error naming the line when the text is not
// pct list's table.
Result<std::vector<PctListEntry>> parsePctList(std::string_view text);

}  // namespace chainvisor::hosts::pct
