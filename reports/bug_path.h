// Bug paths: finer than buckets, for the time-to-bug benchmark. The two bugs
// of the v4 series come out under two titles, and one of them ("bad unlock
// balance") is reached through three different early returns of d_add_ci;
// a path names which one a finding took.
#pragma once

#include <string>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

enum class BugPath {
  none,                    // no finding
  other,                   // a finding on none of the paths below
  wrong_waiter,            // __d_move wakes `dentry` instead of `target` (v4 2/7)
  add_ci_not_in_lookup,    // d_add_ci's d_alloc_parallel result is not in lookup (v4 7/7)
  add_ci_parallel_enomem,  // d_add_ci's d_alloc_parallel fails to allocate (v4 7/7)
  add_ci_d_alloc_enomem,   // d_add_ci's d_alloc fails to allocate (v4 7/7)
};

// The four named paths, in this order: wrong-waiter, add-ci-not-in-lookup,
// add-ci-parallel-enomem, add-ci-d-alloc-enomem.
inline constexpr BugPath kBugPaths[] = {BugPath::wrong_waiter, BugPath::add_ci_not_in_lookup,
                                        BugPath::add_ci_parallel_enomem,
                                        BugPath::add_ci_d_alloc_enomem};

const char* bug_path_name(BugPath path);
bool bug_path_from_name(const std::string& name, BugPath* path);

// The path of `execution`. `schedule` replays to it (a fuzz input, or
// canonical_schedule() of a strategy's execution). The title decides, except
// for a bad unlock balance: the schedule is then run once more, to see which
// early return of d_add_ci the releasing thread took last.
BugPath classify_bug_path(const pb::Schedule& schedule, const Execution& execution);

}  // namespace dcfuzz
