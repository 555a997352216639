// The model's tests: a schedule written inline, normalised, and replayed
// exactly on the dcache model with its trace.
#pragma once

#include <string>

#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/run.h"
#include "tests/schedule_text.h"

namespace dcfuzz::testing {

// `text` parsed (a parse error fails the test) and normalised, as a loaded file is.
inline pb::Schedule parse_normalized(const std::string& text) {
  pb::Schedule s = parse_text(text);
  normalize(&s);
  return s;
}

// One traced replay of `schedule` on the model built with `options`.
inline Execution replay_traced(const pb::Schedule& schedule, const ModelOptions& options = {}) {
  auto program = make_dcache_program(to_scenario(schedule.scenario()), options);
  ReplayStrategy strategy(schedule);
  RunOptions run_options;
  run_options.trace = true;
  return run_program(*program, strategy, run_options);
}

}  // namespace dcfuzz::testing
