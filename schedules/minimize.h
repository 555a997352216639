// Minimization: the smallest schedule that still shows the same bug.
//
// As syzkaller's pkg/repro: a list of named simplification passes (drop a
// thread, drop an operation, drop a preemption, ...); each candidate is run
// and kept only if the execution still ends with the same title (the bucket).
// After every kept candidate the schedule is re-canonicalised with the
// interleaving that execution recorded, so it stays exact. The passes repeat
// until none makes progress. Deterministic: same input, same result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

// How big a schedule is, in the units a reader counts.
struct ScheduleStats {
  int threads = 0;
  int operations = 0;
  int preemptions = 0;
  int faults = 0;
  uint32_t steps = 0;  // scheduling decisions of its execution
};

ScheduleStats schedule_stats(const pb::Schedule& schedule, uint32_t steps);
// "2 threads, 2 operations, 1 preemption, 0 faults, 57 steps"
std::string format_stats(const ScheduleStats& stats);

// Runs one (normalised) schedule; the default is run_schedule() without trace.
using ScheduleRunner = std::function<Execution(const pb::Schedule&)>;

struct MinimizeOptions {
  ScheduleRunner run;               // empty: run_schedule
  std::vector<std::string> passes;  // empty: all of minimize_pass_names(), in that order
  uint64_t max_executions = 50000;  // a bound, never reached in practice
};

struct MinimizeResult {
  bool found = false;     // the input shows a bug; if not, nothing was minimized
  std::string title;      // its bucket (the input's and the result's)
  pb::Schedule schedule;  // canonical; the input's canonical form when !found
  ScheduleStats before;   // of the input as given (normalised)
  ScheduleStats after;
  std::vector<std::string> log;  // one line per kept simplification: "drop-thread: T3"
  uint64_t executions = 0;       // schedules run, the input's included
};

// The passes, in the order they are tried in each round:
// drop-thread, drop-operation, drop-fault, drop-preemption,
// move-preemption-earlier, drop-choice, shrink-tree, simplify-names, and
// drop-thread-retimed, drop-operation-retimed (the same drops with the
// preemptions placed anew: none, or one at any step).
const std::vector<std::string>& minimize_pass_names();

// `input` need not be normalised (a copy is).
MinimizeResult minimize(const pb::Schedule& input, const MinimizeOptions& options = {});

}  // namespace dcfuzz
