#include "schedules/run.h"

#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"

namespace dcfuzz {

Execution run_schedule(const pb::Schedule& schedule, const RunOptions& options) {
  auto program = make_dcache_program(to_scenario(schedule.scenario()));
  ReplayStrategy replay(schedule);
  return run_program(*program, replay, options);
}

Execution run_schedule_traced(const pb::Schedule& schedule) {
  RunOptions options;
  options.trace = true;
  return run_schedule(schedule, options);
}

pb::Schedule canonical_schedule(const pb::Schedule& schedule, const Execution& execution) {
  pb::Schedule out = execution.recorded;
  *out.mutable_scenario() = schedule.scenario();
  return out;
}

}  // namespace dcfuzz
