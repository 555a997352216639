#include "reports/bug_path.h"

#include <cstdio>
#include <cstring>

#include "core/events.h"
#include "schedules/run.h"

namespace dcfuzz {
namespace {

constexpr const char* kWrongWaiterTitle = "BUG: lost wakeup in __d_move";

const char* const kNames[] = {"none",
                              "other",
                              "wrong-waiter",
                              "add-ci-not-in-lookup",
                              "add-ci-parallel-enomem",
                              "add-ci-d-alloc-enomem"};

// The last early return of d_add_ci each thread took.
class EarlyReturns final : public EventListener {
 public:
  void on_event(const Event& event) override {
    if (event.thread < 0 || event.thread >= kMaxThreads) return;
    BugPath path = BugPath::none;
    if (std::strcmp(event.what, kAddCiReturnNotInLookup) == 0) {
      path = BugPath::add_ci_not_in_lookup;
    } else if (std::strcmp(event.what, kAddCiReturnParallelError) == 0) {
      path = BugPath::add_ci_parallel_enomem;
    } else if (std::strcmp(event.what, kAddCiReturnAllocError) == 0) {
      path = BugPath::add_ci_d_alloc_enomem;
    }
    if (path != BugPath::none) last[event.thread] = path;
  }
  BugPath last[kMaxThreads] = {BugPath::other, BugPath::other, BugPath::other, BugPath::other};
};

// The releasing thread (0-based) from the detector's first line,
// "T2 is trying to release lock ..." (lockdep's check), or "T2: ->lookup
// (...) returned with ..." (the check at ->lookup's return); -1 if it is not there.
int releasing_thread(const std::string& details) {
  int thread = 0;
  if (std::sscanf(details.c_str(), " T%d", &thread) != 1) return -1;
  return thread >= 1 && thread <= kMaxThreads ? thread - 1 : -1;
}

}  // namespace

const char* bug_path_name(BugPath path) { return kNames[int(path)]; }

bool bug_path_from_name(const std::string& name, BugPath* path) {
  for (int i = 0; i < int(std::size(kNames)); ++i) {
    if (name == kNames[i]) {
      *path = BugPath(i);
      return true;
    }
  }
  return false;
}

BugPath classify_bug_path(const pb::Schedule& schedule, const Execution& execution) {
  if (!execution.found) return BugPath::none;
  if (execution.title == kWrongWaiterTitle) return BugPath::wrong_waiter;
  if (execution.title != kBadUnlockBalanceTitle) return BugPath::other;
  const int thread = releasing_thread(execution.details);
  if (thread < 0) return BugPath::other;
  EarlyReturns returns;
  RunOptions options;
  options.listener = &returns;
  const Execution again = run_schedule(schedule, options);
  if (!again.found || again.title != execution.title) return BugPath::other;  // did not replay
  return returns.last[thread];
}

}  // namespace dcfuzz
