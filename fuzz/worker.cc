#include "fuzz/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <iterator>

#include "fuzz/crash_handler.h"
#include "fuzz/target.h"

namespace dcfuzz {
namespace {

constexpr int kMaxScheduleBytes = 4096;

}  // namespace

std::vector<std::string> libfuzzer_flags(const LibFuzzerWorker& worker) {
  std::vector<std::string> flags = {
      "-seed=" + std::to_string(worker.seed),
      "-max_len=" + std::to_string(kMaxScheduleBytes),
      "-len_control=0",  // the mutator bounds sizes itself
      // No replacing a corpus entry by a smaller input with the same features:
      // each replacement is a file written and one deleted, and a sorted
      // search per feature of every execution -- 8-12% of a campaign's CPU
      // (bench/campaign_throughput.sh) for shorter schedules, which the
      // minimizer makes of every finding anyway.
      "-reduce_inputs=0",
      // libFuzzer's plain power schedule, not its entropic one: libFuzzer 14
      // looks up every feature of every execution in its list of rare
      // features (a linear search) and walks the whole corpus for every new
      // feature -- 15-20% of a campaign's CPU at the corpus growth the
      // interleaving counters bring (perf on a 20k-execution campaign), for
      // no sooner bug (bench/campaign.sh --only empty, 20 campaigns each:
      // median executions to the wrong waiter 692 without it, 804 with it;
      // to the bad unlock balance 718 against 1,074).
      "-entropic=0",
      // No crossover: with a custom mutator and a custom crossover, libFuzzer
      // draws one or the other for every mutation, so half the executions
      // were children of two corpus entries. On the deep mutants of
      // bench/mutants/ fuzzing needed fewer executions without them (median
      // ratio to the best of random walk and PCT 0.77 -> 0.37, docs/benchmarks.md "What
      // helped the search"): those executions go to the mutator, whose
      // random-walk samples and faults at reached allocations find the bugs.
      "-cross_over=0",
      "-timeout=60",  // executions are bounded by the engine's step budget; a stuck engine
      "-rss_limit_mb=4096",
      "-detect_leaks=0",
      "-print_final_stats=0",
      // No status line for every new corpus entry and power-of-two execution:
      // each is a dozen unbuffered writes to the log and a walk of the corpus
      // (1.5% of a campaign's CPU, perf). Errors, timeouts and crashes are
      // still printed; nothing reads the status lines.
      "-verbosity=0",
      "-artifact_prefix=" + worker.artifact_dir + "/",
  };
  if (worker.parent_stops_it) {
    flags.push_back("-handle_int=0");
    flags.push_back("-handle_term=0");
  }
  flags.insert(flags.end(), std::begin(kCrashHandlerFlags), std::end(kCrashHandlerFlags));
  flags.insert(flags.end(), worker.flags.begin(), worker.flags.end());
  flags.push_back(worker.corpus);
  return flags;
}

pid_t start_libfuzzer_worker(const LibFuzzerWorker& worker) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(worker.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  if (worker.parent_stops_it) {
    // The terminal sends Ctrl-C to every process of the group; the parent
    // alone takes it. (A handler here could land in the middle of the
    // model's allocator: libFuzzer's own allocates.)
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a parent killed outright takes its workers along
  if (worker.setup) worker.setup();
  install_crash_handler(worker.artifact_dir);
  run_libfuzzer(libfuzzer_flags(worker));
}

}  // namespace dcfuzz
