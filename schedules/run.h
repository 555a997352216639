// Running a schedule of the dcache model: the scenario becomes the model
// program, the interleaving part drives a ReplayStrategy.
#pragma once

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

// `schedule` must be normalised (load_schedule and normalize() do that).
Execution run_schedule(const pb::Schedule& schedule, const RunOptions& options = {});
// The same, with Execution::trace collected (for reports).
Execution run_schedule_traced(const pb::Schedule& schedule);

// The scenario of `schedule` with the interleaving the execution recorded:
// the canonical schedule that replays to the same execution.
pb::Schedule canonical_schedule(const pb::Schedule& schedule, const Execution& execution);

}  // namespace dcfuzz
