#include "hosts/pct/pct_entry.h"

#include "hosts/pct/pct_commands.h"

namespace chainvisor::hosts::pct {

Error PctEntry::prefixed(int vmid, Error error) const {
    error.message = where_ + ": CT " + std::to_string(vmid) + ": " + error.message;
    return error;
}

Result<ExecResult> PctEntry::exec(int vmid, const std::vector<std::string>& argv,
                                  std::chrono::milliseconds deadline) {
    auto r = pctExec(shell_, vmid, argv, deadline);
    if (!r) {
        return prefixed(vmid, r.error());
    }
    return r;
}

Result<void> PctEntry::writeFile(int vmid, const FileWrite& file) {
    auto r = pctPush(shell_, vmid, file);
    if (!r) {
        return prefixed(vmid, r.error());
    }
    return r;
}

}  // namespace chainvisor::hosts::pct
