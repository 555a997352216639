// dcfuzz explore FILE --bound K: every interleaving of the file's scenario
// with at most K preemptions, fewest first; the first finding is reported.
#include <iostream>

#include "core/model.h"
#include "fuzz/commands.h"
#include "reports/report.h"
#include "schedules/bounded_search.h"
#include "schedules/normalize.h"
#include "schedules/run.h"

namespace dcfuzz {

int cmd_explore(const Args& args) {
  pb::Schedule schedule = load_schedule_arg(args);
  const int bound = int(args.get_int("bound", 0, 8));
  constexpr uint64_t kMaxExecutions = 5000000;
  auto program = make_dcache_program(to_scenario(schedule.scenario()));
  SearchResult result = bounded_search(*program, schedule, bound, kMaxExecutions);
  if (!result.found) {
    std::cout << "no finding with at most " << bound << " preemptions: " << result.executions
              << " executions"
              << (result.complete ? " (every such interleaving)\n"
                                  : " (stopped at the execution limit)\n");
    return 0;
  }
  pb::Schedule found = canonical_schedule(schedule, result.execution);
  RunOptions options;
  options.trace = true;
  Execution traced = run_schedule(found, options);
  std::cout << "found after " << result.executions << " executions\n\n"
            << format_report(canonical_schedule(found, traced), traced);
  return 1;
}

}  // namespace dcfuzz
