// dcfuzz explore FILE [--bound K | --full] [--max-executions N]: Relacy's own
// context-bound search over the file's scenario, with bound 0, 1, ..., K in
// turn (so a finding has the fewest preemptions any has), or its full search.
// The file's faults are kept; its preemptions and choices are the search's to
// make. The first finding is reported from its recorded schedule, which
// replays to it.
#include <iostream>
#include <string>

#include "core/model.h"
#include "fuzz/commands.h"
#include "reports/report.h"
#include "schedules/normalize.h"
#include "schedules/relacy_search.h"
#include "schedules/run.h"

namespace dcfuzz {
namespace {

std::string searched(SearchKind kind, int bound) {
  if (kind == SearchKind::full) return "every interleaving";
  return "every interleaving with at most " + std::to_string(bound) + " preemption" +
         (bound == 1 ? "" : "s");
}

}  // namespace

int cmd_explore(const Args& args) {
  if (args.has("bound") && args.has("full")) {
    throw UsageError{"--bound and --full exclude each other (--full has no bound)"};
  }
  pb::Schedule schedule = load_schedule_arg(args);
  const SearchKind kind = args.has("full") ? SearchKind::full : SearchKind::context_bound;
  const int bound = int(args.get_int("bound", 0, 8));
  const uint64_t max_executions = args.has("max_executions")
                                      ? uint64_t(args.get_int("max_executions", 1, 1000000000))
                                      : 5000000;
  pb::Schedule base;
  *base.mutable_faults() = schedule.faults();
  auto program = make_dcache_program(to_scenario(schedule.scenario()));
  SearchResult result = kind == SearchKind::full
                            ? relacy_search(*program, base, kind, 0, max_executions)
                            : relacy_search_iterative(*program, base, bound, max_executions);
  if (!result.found) {
    std::cout << "no finding in " << searched(kind, bound) << ": " << result.executions
              << " executions, "
              << (result.complete ? "search complete\n" : "stopped at the execution limit\n");
    return 0;
  }
  pb::Schedule found = canonical_schedule(schedule, result.execution);
  Execution traced = run_schedule_traced(found);
  if (traced.title != result.execution.title) {
    std::cerr << "dcfuzz: the search found '" << result.execution.title
              << "' but its schedule replays to '" << traced.title << "'\n";
  }
  std::cout << "found after " << result.executions << " executions\n\n"
            << format_report(canonical_schedule(found, traced), traced);
  return 1;
}

}  // namespace dcfuzz
