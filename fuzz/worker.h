// Starting libFuzzer workers: a child process that runs libFuzzer in
// process on this binary's target (fuzz/target.h), its output in a log.
// One launcher for the campaign (fuzz/campaign.cc) and the time-to-bug
// benchmark (bench/time_to_bug.cc), so both run libFuzzer with the same flags.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dcfuzz {

struct LibFuzzerWorker {
  std::string log;           // the worker's stdout and stderr (truncated first)
  uint64_t seed = 1;         // libFuzzer's -seed
  std::string artifact_dir;  // libFuzzer's -artifact_prefix (DIR/)
  std::string corpus;        // the corpus directory libFuzzer reads and adds to
  // Flags beyond the shared ones (-runs, -max_total_time, -reload, ...).
  std::vector<std::string> flags;
  // SIGINT and SIGTERM are left to the parent, which stops the worker by
  // other means (a campaign's stop flag): the worker ignores them and
  // libFuzzer installs no handler for them.
  bool parent_stops_it = false;
  // In the child, before libFuzzer starts: set_target() and the like.
  std::function<void()> setup;
};

// The flags every worker runs with, then `worker.flags`, then the corpus.
std::vector<std::string> libfuzzer_flags(const LibFuzzerWorker& worker);

// Forks the worker; it dies with the parent (PR_SET_PDEATHSIG) and ends with
// libFuzzer (exit at -runs or -max_total_time). Returns its pid, or -1 with
// errno set when fork fails.
pid_t start_libfuzzer_worker(const LibFuzzerWorker& worker);

}  // namespace dcfuzz
