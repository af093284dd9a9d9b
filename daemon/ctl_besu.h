// chainvisorctl's offline Besu commands: they read key files and the cluster file and print what
// follows from them, without asking chainvisord (which need not be running).
//   besu address --key-file F    the key's address (EIP-55) and public key (the enode id)
//   besu genesis [--network N]   the genesis.json chainvisord installs for a Besu network
#pragma once

#include "ctl_commands.h"
#include "ctl_options.h"

namespace chainvisor::ctl {

// Runs Command::BesuAddress or Command::BesuGenesis; returns the exit code.
int runBesuCommand(const CtlOptions& options, Output output);

}  // namespace chainvisor::ctl
