// What a fuzz campaign pays for a scenario it has not run lately: compiling
// its program (make_dcache_program, or remake_dcache_program on a program
// the cache dropped) and, for make, freeing it again -- against one
// execution of such a scenario under Relacy's random scheduler.
//
//   program_compile [SCENARIOS] [ROUNDS]
//
// SCENARIOS random scenarios (schedules/random_scenario.h, default 2000),
// each compiled ROUNDS times (default 20). Prints microseconds per compile.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "bench/throughput.h"
#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"

int main(int argc, char** argv) {
  using namespace dcfuzz;
  const int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  if (count < 1 || rounds < 1) {
    std::fprintf(stderr, "dcfuzz: program_compile: SCENARIOS and ROUNDS must be positive\n");
    return 2;
  }
  std::vector<pb::Schedule> schedules;
  for (int i = 0; i < count; ++i) schedules.push_back(random_schedule(uint64_t(i)));
  const double total = double(count) * rounds;
  size_t threads = 0;  // keeps the work observable

  auto start = bench::Clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& s : schedules)
      threads += make_dcache_program(to_scenario(s.scenario()))->thread_count();
  const double make = bench::seconds_since(start) / total * 1e6;

  auto program = make_dcache_program(to_scenario(schedules[0].scenario()));
  start = bench::Clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& s : schedules) {
      remake_dcache_program(*program, to_scenario(s.scenario()));
      threads += program->thread_count();
    }
  const double remake = bench::seconds_since(start) / total * 1e6;

  std::vector<pb::Schedule> sample(schedules.begin(), schedules.begin() + std::min(count, 200));
  const double relacy = bench::relacy_random_rate(sample, 3);
  std::printf("%d random scenarios x %d (%zu threads)\n", count, rounds, threads);
  std::printf("make_dcache_program + free  %6.2f us\n", make);
  std::printf("remake_dcache_program       %6.2f us\n", remake);
  std::printf("one execution (Relacy)      %6.2f us\n", 1e6 / relacy);
  return 0;
}
