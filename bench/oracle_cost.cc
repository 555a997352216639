// What the oracles of issue 12 cost: executions per second of the model with
// them (the dcache checked against the disk at every scheduling decision,
// the results against the sequential filesystem at the end) and without,
// in this process, on the same random scenarios and random walks, each
// execution run with and without back to back. Each execution builds its
// program, as a campaign's worker does per input.
//
//   oracle_cost [SCENARIOS] [ROUNDS] [KERNEL]
//
// Prints both rates and the cost ratio (without / with); the target is < 1.3.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"
#include "schedules/random_walk.h"

namespace {

// The thread's CPU time: on a shared machine, other processes' load does not
// count against either side.
double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

struct Side {
  uint64_t executions = 0, findings = 0;
  double seconds = 0;
};

// One execution of `scenario` under random walk `seed`, its program built
// first, timed onto `side`.
void run_one(const dcfuzz::Scenario& scenario, bool oracles, uint64_t seed, Side* side) {
  dcfuzz::ModelOptions options;
  options.oracles = oracles;
  const double start = cpu_seconds();
  auto program = dcfuzz::make_dcache_program(scenario, options);
  dcfuzz::RandomWalkStrategy walk{seed};
  side->findings += dcfuzz::run_program(*program, walk).found;
  side->seconds += cpu_seconds() - start;
  ++side->executions;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 10;
  const std::string kernel_name = argc > 3 ? argv[3] : "mainline";
  dcfuzz::pb::Kernel kernel = dcfuzz::pb::MAINLINE;
  dcfuzz::PatchSet switches = 0;
  std::string error;
  if (!dcfuzz::parse_kernel(kernel_name, &kernel, &switches, nullptr, &error)) {
    std::fprintf(stderr, "oracle_cost: %s\n", error.c_str());
    return 2;
  }
  if (count < 1 || rounds < 1) {
    std::fprintf(stderr, "oracle_cost: SCENARIOS and ROUNDS must be positive\n");
    return 2;
  }
  std::vector<dcfuzz::Scenario> scenarios;
  for (int i = 0; i < count; ++i) {
    dcfuzz::pb::Schedule s = dcfuzz::random_schedule(uint64_t(i));
    dcfuzz::set_kernel(s.mutable_scenario(), kernel, switches);
    scenarios.push_back(dcfuzz::to_scenario(s.scenario()));
  }
  Side with, without;
  // Each execution with and without back to back, in turns, so that the
  // load of a shared machine falls on both sides alike.
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < scenarios.size(); ++i) {
      const uint64_t seed = uint64_t(r) * 7919 + i;
      const bool first = (i + size_t(r)) % 2 == 0;
      run_one(scenarios[i], first, seed, first ? &with : &without);
      run_one(scenarios[i], !first, seed, first ? &without : &with);
    }
  }
  const double rate_with = double(with.executions) / with.seconds;
  const double rate_without = double(without.executions) / without.seconds;
  std::printf("scenarios               %d random (%s), %d rounds each side\n", count,
              kernel_name.c_str(), rounds);
  std::printf("without oracles         %8.0f executions per CPU second (%llu findings)\n",
              rate_without, static_cast<unsigned long long>(without.findings));
  std::printf("with oracles            %8.0f executions per CPU second (%llu findings)\n",
              rate_with, static_cast<unsigned long long>(with.findings));
  std::printf("cost ratio              %.3f (without / with; target < 1.3)\n",
              rate_without / rate_with);
  return 0;
}
