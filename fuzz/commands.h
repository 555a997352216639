// The subcommands of dcfuzz, one file each (cmd_*.cc).
#pragma once

#include "fuzz/cli.h"
#include "schedule.pb.h"

namespace dcfuzz {

int cmd_replay(const Args& args);
int cmd_fuzz(const Args& args);
int cmd_explore(const Args& args);
int cmd_minimize(const Args& args);
int cmd_kernels(const Args& args);

// Shared by the commands that take a schedule FILE: loads and normalises it,
// applies --kernel. Throws UsageError on bad input. What normalisation capped
// at the model's limits goes to stderr as one note line; the command runs on.
pb::Schedule load_schedule_arg(const Args& args);

// Checks, before any work is done, that `path` can be written by
// write_file_atomic: not a directory or a device, in an existing directory.
// Throws UsageError naming `option` and the path.
void check_output_file(const std::string& path, const std::string& option);
// The same for a directory that is created if missing (fuzz --out).
void check_output_dir(const std::string& path, const std::string& option);
// A corpus directory given on the command line exists and is a directory.
void check_corpus_dir(const std::string& path);

}  // namespace dcfuzz
