// The campaign's search strategies (fuzz --strategy). `fuzz` is libFuzzer
// (fuzz/worker.h); the others are a plain loop in a worker process: a
// scenario -- drawn by random_schedule, or the next of a fixed list -- run
// once under the strategy, which picks the interleaving. The engine records
// what the execution did as a schedule, so a finding is a schedule that
// `dcfuzz replay` reproduces, handed to the same findings path as fuzzing's.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

enum class CampaignStrategy { fuzz, random_walk, pct, pos };

bool strategy_from_name(const std::string& name, CampaignStrategy* out);
const char* strategy_name(CampaignStrategy strategy);
std::string strategy_names();  // "fuzz, random-walk, pct, pos"

struct StrategyLoop {
  CampaignStrategy strategy = CampaignStrategy::random_walk;  // not fuzz
  pb::Kernel kernel = pb::V4;                                 // every scenario runs on it
  PatchSet switches = variant_info(Kernel::v4).switches;      // with these switches
  bool preempt_rt = false;
  uint64_t seed = 1;
  // Empty: a new random scenario for every execution; else these scenarios
  // (their interleaving part is ignored), in turn.
  std::vector<pb::Scenario> scenarios;
  double seconds = 180;                         // the loop ends after this long ...
  uint64_t max_executions = 0;                  // ... or this many executions (0: no limit)
  std::atomic<uint64_t>* executions = nullptr;  // counted here; may be null
  const std::atomic<bool>* stop = nullptr;      // raised: end before the next execution
  // Every execution that found something, with its scenario (the kernel set)
  // and the execution, whose recorded interleaving replays it.
  std::function<void(const pb::Schedule&, const Execution&)> on_finding;
};

// The loop, in this process. Deterministic given the options: the n-th
// execution's scenario and interleaving depend only on `seed` and n.
// Returns the number of executions.
uint64_t run_strategy_loop(const StrategyLoop& loop);

// Forks a worker that runs `setup` and then the loop of `make_loop()`, its
// output in `log`; it ignores SIGINT and SIGTERM (the parent stops it through
// the loop's stop flag), dies with the parent and exits 0 at the end.
// Returns its pid, or -1 with errno set when fork fails.
pid_t start_strategy_worker(const std::string& log, const std::function<StrategyLoop()>& make_loop);

}  // namespace dcfuzz
