#include "reports/bug_path.h"

#include <cstring>

#include "core/events.h"
#include "schedules/run.h"

namespace dcfuzz {
namespace {

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
  // v4 2/7: __d_move ends target's lookup and wakes dentry's waiters.
  if (execution.kind == FindingKind::lost_wakeup && execution.function == "__d_move") {
    return BugPath::wrong_waiter;
  }
  if (execution.kind != FindingKind::bad_unlock_balance) return BugPath::other;
  const int thread = execution.thread;  // the releasing task; -1: Relacy's own check
  if (thread < 0 || thread >= kMaxThreads) return BugPath::other;
  EarlyReturns returns;
  RunOptions options;
  options.listener = &returns;
  const Execution again = run_schedule(schedule, options);
  if (!again.found || again.title != execution.title) return BugPath::other;  // did not replay
  return returns.last[thread];
}

}  // namespace dcfuzz
