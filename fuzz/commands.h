// The subcommands of dcfuzz, one file each (cmd_*.cc).
#pragma once

#include "fuzz/cli.h"
#include "schedule.pb.h"

namespace dcfuzz {

int cmd_replay(const Args& args);
int cmd_fuzz(const Args& args);
int cmd_explore(const Args& args);
int cmd_minimize(const Args& args);

// Shared by the commands that take a schedule FILE: loads and normalises it,
// applies --kernel. Throws UsageError on bad input.
pb::Schedule load_schedule_arg(const Args& args);

}  // namespace dcfuzz
