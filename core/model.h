// The dcache model as a Program the engine runs: one scenario (kernel
// variant, filesystem, initial tree, thread programs), executed for real on
// the model's kernel primitives, with every detector armed.
#pragma once

#include <memory>

#include "core/program.h"
#include "core/scenario.h"

namespace dcfuzz {

// Switches for tests; the defaults are what the fuzzer and the CLI run.
struct ModelOptions {
  // The immediate lost-wakeup detector. Off, a wrong waiter shows as the
  // hang it becomes ("INFO: task hung in d_wait_lookup").
  bool lost_wakeup_detector = true;
  // Self-test of the lock-order detector: d_alloc takes an in-lookup bucket
  // lock around the parent's d_lock (bucket -> d_lock, against rule 7).
  bool selftest_lock_inversion = false;
};

// Takes the scenario by value: a temporary one (to_scenario()) is moved in.
std::unique_ptr<Program> make_dcache_program(Scenario scenario, const ModelOptions& options = {});

}  // namespace dcfuzz
