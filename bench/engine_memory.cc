// Memory stays flat: peak RSS after 10k and after 1M executions of a toy
// program on one long-lived engine context, plus 1,000 findings (each of
// which ends a context), plus findings of the dcache model itself (each
// shipped regression in turn, 20,000 in all by default). Prints the figures
// and their ratios.
//
//   engine_memory [EXECUTIONS [MODEL_FINDINGS [REGRESSIONS_DIR]]]
//
// REGRESSIONS_DIR defaults to corpus/regressions (run from the repository).
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "schedules/engine.h"
#include "schedules/random_walk.h"
#include "schedules/replay.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "testing/toy_programs.h"

namespace {

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dcfuzz;
  const long total = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long model_findings = argc > 2 ? std::atol(argv[2]) : 20000;
  const std::string regressions_dir = argc > 3 ? argv[3] : "corpus/regressions";
  if (total < 10000 || model_findings < 0) {
    std::fprintf(stderr, "engine_memory: EXECUTIONS must be at least 10000, MODEL_FINDINGS >= 0\n");
    return 2;
  }
  auto program = toy::make_counter(3, 2);
  long at_10k = 0;
  for (long i = 1; i <= total; ++i) {
    RandomWalkStrategy walk(uint64_t(i), 200);
    Execution e = run_program(*program, walk);
    if (e.found) {
      std::printf("unexpected finding: %s\n", e.title.c_str());
      return 1;
    }
    if (i == 10000) at_10k = peak_rss_kib();
  }
  const long at_end = peak_rss_kib();
  std::printf("peak RSS after %8d executions: %7ld KiB\n", 10000, at_10k);
  std::printf("peak RSS after %8ld executions: %7ld KiB (ratio %.3f)\n", total, at_end,
              double(at_end) / double(at_10k));
  // Findings end their context; a new one is made for the next execution.
  auto buggy = toy::make_lost_wakeup();
  pb::Schedule schedule;
  auto* p = schedule.add_preemptions();
  p->set_step(2);
  p->set_thread(2);
  for (int i = 0; i < 1000; ++i) {
    ReplayStrategy replay(schedule);
    if (!run_program(*buggy, replay).found) return 1;
  }
  const long after_findings = peak_rss_kib();
  std::printf("peak RSS after 1000 findings:           %7ld KiB (ratio %.3f)\n", after_findings,
              double(after_findings) / double(at_10k));
  const char* regressions[] = {"wrong-waiter-alias-splice", "add-ci-not-in-lookup",
                               "add-ci-alloc-parallel-enomem", "add-ci-d-alloc-enomem"};
  pb::Schedule schedules[4];
  for (int k = 0; k < 4; ++k) {
    std::string error;
    const std::string path = regressions_dir + "/" + regressions[k] + ".textproto";
    if (!load_schedule(path, &schedules[k], &error)) {
      std::fprintf(stderr, "engine_memory: %s\n", error.c_str());
      return 2;
    }
  }
  long at_tenth = 0;
  for (long i = 1; i <= model_findings; ++i) {
    if (!run_schedule(schedules[i % 4]).found) {
      std::printf("regression %s did not reproduce\n", regressions[i % 4]);
      return 1;
    }
    if (i == model_findings / 10) at_tenth = peak_rss_kib();
  }
  if (model_findings >= 10) {
    const long at_model_end = peak_rss_kib();
    std::printf(
        "peak RSS after %6ld model findings:     %7ld KiB; after %ld: %7ld KiB (ratio %.3f)\n",
        model_findings / 10, at_tenth, model_findings, at_model_end,
        double(at_model_end) / double(at_tenth));
  }
  return 0;
}
