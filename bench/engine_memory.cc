// Memory stays flat: peak RSS after 10k and after 1M executions of a toy
// program on one long-lived engine context, plus 1,000 findings (each of
// which ends a context). Prints the figures and their ratio.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "schedules/engine.h"
#include "schedules/random_walk.h"
#include "schedules/replay.h"
#include "tests/toy_programs.h"

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
  return 0;
}
