// Executions per second of the fuzz target against Relacy's own random
// scheduler, in the same process, on the same scenarios (the shipped seeds).
//
//   fuzz_throughput [SEEDS_DIR] [SECONDS_PER_SIDE] [relacy]
//
// "relacy-random": run_program_relacy_random on each seed's program.
// "target": what a campaign worker does per input, minus libFuzzer itself --
// parse, normalise, build the program, run it with interleaving coverage
// (fuzz/target.h) -- on each input as it is, and after one mutation
// (fuzz/mutator.h). SEEDS_DIR may also be a campaign's OUT/corpus: the
// scenarios that campaign kept; or random:N, N scenarios of random_schedule
// (what a campaign's random-walk samples draw: most of its executions run
// one). With "relacy", only Relacy's side, per second of wall time and per
// second of CPU time (bench/campaign_throughput.sh).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/throughput.h"

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "corpus/seeds";
  const double budget = argc > 2 ? std::atof(argv[2]) : 10;
  std::vector<dcfuzz::pb::Schedule> seeds;
  if (dir.rfind("random:", 0) == 0) {
    char* end = nullptr;
    const long count = std::strtol(dir.c_str() + 7, &end, 10);
    if (end == dir.c_str() + 7 || *end != '\0' || count < 1 || count > 100000) {
      std::fprintf(stderr, "fuzz_throughput: %s: N must be in 1..100000\n", dir.c_str());
      return 2;
    }
    seeds = dcfuzz::bench::random_schedules(size_t(count));
  } else {
    seeds = dcfuzz::bench::load_schedules(dir, 500);  // a sample of a big corpus
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz_throughput: no seeds in %s\n", dir.c_str());
    return 2;
  }
  double relacy_cpu = 0;
  const double relacy = dcfuzz::bench::relacy_random_rate(seeds, budget, &relacy_cpu);
  if (argc > 3 && std::string(argv[3]) == "relacy") {
    std::printf("relacy-random %.0f executions/s, %.0f per CPU second (%zu schedules)\n", relacy,
                relacy_cpu, seeds.size());
    return 0;
  }
  const double replay = dcfuzz::bench::target_rate(seeds, budget, false);
  const double mutate = dcfuzz::bench::target_rate(seeds, budget, true);
  std::printf("inputs                  %zu schedules from %s\n", seeds.size(), dir.c_str());
  std::printf("relacy-random           %8.0f executions/s\n", relacy);
  std::printf("target (inputs as is)   %8.0f executions/s  ratio %.2f\n", replay, replay / relacy);
  std::printf("target (one mutation)   %8.0f executions/s  ratio %.2f\n", mutate, mutate / relacy);
  return 0;
}
