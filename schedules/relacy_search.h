// Relacy's own systematic searches over a program, depth first over Relacy's
// tree of choices: its context-bound scheduler (at most `bound` switches away
// from a thread that could go on; a switch forced by a thread blocking or
// ending is free) or its full search (every interleaving). Every decision
// Relacy takes is recorded as our scheduler would record it, so a finding
// comes back as an Execution whose `recorded` schedule replays to it.
//
// Explored, as Relacy explores them: which thread runs at each decision, and
// Relacy's other choices (the store an atomic load reads, a spurious CAS
// failure, the waiter a notify wakes). As in Relacy's search, a thread that
// sleeps (Relacy treats it as a yield) runs again only after another thread
// was scheduled. Taken from `base` instead: allocation faults, and whether a
// freed block is quarantined or reused (it only changes how soon a
// use-after-free is caught, and exploring it would multiply the search by
// four at every free).
//
// Depth first: the first finding need not be a shallowest one.
#pragma once

#include <cstdint>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

enum class SearchKind { context_bound, full };

struct SearchResult {
  bool found = false;
  Execution execution;  // the finding, recorded (when found)
  uint64_t executions = 0;
  bool complete = false;  // the whole space was searched (not stopped by max_executions)
};

// `bound` is used by SearchKind::context_bound only. Stops at the first
// finding or after `max_executions` executions (>= 1).
SearchResult relacy_search(Program& program, const pb::Schedule& base, SearchKind kind, int bound,
                           uint64_t max_executions);

// Iterative context bounding: the context-bound search with bound 0, 1, ...,
// `max_bound` in turn, sharing `max_executions`, so that the first finding
// is one with the fewest switches (as Relacy counts them) of any finding.
// `complete` then means: complete at `max_bound`.
SearchResult relacy_search_iterative(Program& program, const pb::Schedule& base, int max_bound,
                                     uint64_t max_executions);

}  // namespace dcfuzz
