// Bounded exhaustive search: every interleaving of a program with at most
// `bound` preemptions, fewest preemptions first (so the first finding is a
// shallowest one). Values and faults come from the base schedule. Each
// execution is recorded, so a finding comes back as a replayable schedule.
#pragma once

#include <cstdint>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

struct SearchResult {
  bool found = false;
  Execution execution;     // the finding's execution (when found)
  uint64_t executions = 0;
  bool complete = true;    // false: stopped at max_executions
};

SearchResult bounded_search(Program& program, const pb::Schedule& base, int bound,
                            uint64_t max_executions);

}  // namespace dcfuzz
