// Bounded exhaustive search, our own: every interleaving of a program with at
// most `bound` preemptions as our recorder counts them, fewest preemptions
// first (breadth first, so the first finding is a shallowest one). Values and
// faults come from the base schedule. Each execution is recorded, so a
// finding comes back as a replayable schedule.
//
// dcfuzz explore uses Relacy's own search instead (relacy_search.h), whose
// iterative context bounding also finds a shallowest bug first; this one is
// kept while bench/time_to_bug still calls it.
#pragma once

#include <cstdint>

#include "schedule.pb.h"
#include "schedules/engine.h"
#include "schedules/relacy_search.h"  // SearchResult

namespace dcfuzz {

SearchResult bounded_search(Program& program, const pb::Schedule& base, int bound,
                            uint64_t max_executions);

}  // namespace dcfuzz
