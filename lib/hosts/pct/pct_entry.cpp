#include "hosts/pct/pct_entry.h"

#include "hosts/pct/pct_commands.h"

namespace chainvisor::hosts::pct {

Result<ExecResult> PctEntry::exec(int vmid, const std::vector<std::string>& argv,
                                  std::chrono::milliseconds deadline) {
    return pctExec(shell_, vmid, argv, deadline);
}

Result<void> PctEntry::writeFile(int vmid, const FileWrite& file) {
    return pctPush(shell_, vmid, file);
}

}  // namespace chainvisor::hosts::pct
