// time_to_bug's runs and results, shared by bench/time_to_bug.cc (the runs)
// and bench/time_to_bug_table.h (the markdown table).
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "reports/bug_path.h"

namespace dcfuzz::bench {

constexpr int kPaths = int(std::size(kBugPaths));
const char* const kReproducers[kPaths] = {
    "wrong-waiter-alias-splice.textproto", "add-ci-not-in-lookup.textproto",
    "add-ci-alloc-parallel-enomem.textproto", "add-ci-d-alloc-enomem.textproto"};

enum class Strat { fuzz, fuzz_nocov, pct1, pct2, pct3, random_walk, context_bound };
const char* const kStratNames[] = {"fuzz", "fuzz-nocov",  "pct1",         "pct2",
                                   "pct3", "random-walk", "context-bound"};
const char* const kStratLabels[] = {"fuzzing, interleaving counters",
                                    "fuzzing, edge coverage only",
                                    "PCT d=1",
                                    "PCT d=2",
                                    "PCT d=3",
                                    "random walk",
                                    "context-bound (bound 0,1,2,...)"};
constexpr int kStrats = int(std::size(kStratNames));

enum class Mode { fixed, free, free_seeds };
const char* const kModeNames[] = {"fixed", "free", "free-seeds"};
constexpr int kModes = int(std::size(kModeNames));

inline bool is_fuzz(Strat s) { return s == Strat::fuzz || s == Strat::fuzz_nocov; }

// The command line (bench/time_to_bug.cc parses it).
struct Options {
  int seeds = 10;
  uint64_t budget_executions = 250000;
  double budget_seconds = 45;
  int parallel = 2;
  uint32_t fault_one_in = 50;
  std::string corpus = "corpus";
  std::string out = "time_to_bug.md";
  std::string keep;
  std::string only;
  bool strat[kStrats], mode[kModes], path[kPaths], throughput = true;
};

// One run's first detection of one path; if it did not find the path, what
// the run spent.
struct Outcome {
  bool found = false;
  uint64_t executions = 0;
  double seconds = 0;
};

struct Tables {
  // [mode][strat][path] -> outcomes over the seeds
  std::vector<Outcome> outcomes[kModes][kStrats][kPaths];
  uint64_t executions[kModes][kStrats] = {};
  double seconds[kModes][kStrats] = {};  // with `executions`: over all runs, found or not
};

// Executions per second on the reproducers' scenarios; the whole fuzz loop
// runs kThroughputSeconds.
constexpr int kThroughputSeconds = 5;
struct Throughput {
  double relacy = 0, target = 0, target_mutated = 0, loop = 0;
  size_t scenarios = 0;
};

}  // namespace dcfuzz::bench
