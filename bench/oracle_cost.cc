// What the oracles of issue 12 cost: executions per second of the model with
// them (the dcache checked against the disk at every scheduling decision,
// the results against the sequential filesystem at the end) and without,
// in this process, on the same random scenarios and random walks, the two
// sides alternating in rounds. Each execution builds its program, as a
// campaign's worker does per input.
//
//   oracle_cost [SCENARIOS] [ROUNDS] [KERNEL]
//
// Prints both rates and the cost ratio (without / with); the target is < 1.3.
#include <chrono>
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

using Clock = std::chrono::steady_clock;

struct Side {
  uint64_t executions = 0, findings = 0;
  double seconds = 0;
};

void run_round(const std::vector<dcfuzz::Scenario>& scenarios, bool oracles, int round,
               Side* side) {
  dcfuzz::ModelOptions options;
  options.oracles = oracles;
  const auto start = Clock::now();
  for (size_t i = 0; i < scenarios.size(); ++i) {
    auto program = dcfuzz::make_dcache_program(scenarios[i], options);
    dcfuzz::RandomWalkStrategy walk{uint64_t(round) * 7919 + i};
    side->findings += dcfuzz::run_program(*program, walk).found;
    ++side->executions;
  }
  side->seconds += std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 10;
  const std::string kernel_name = argc > 3 ? argv[3] : "mainline";
  dcfuzz::pb::Kernel kernel = dcfuzz::pb::MAINLINE;
  if (!dcfuzz::kernel_from_name(kernel_name, &kernel)) {
    std::fprintf(stderr, "oracle_cost: unknown kernel %s\n", kernel_name.c_str());
    return 2;
  }
  if (count < 1 || rounds < 1) {
    std::fprintf(stderr, "oracle_cost: SCENARIOS and ROUNDS must be positive\n");
    return 2;
  }
  std::vector<dcfuzz::Scenario> scenarios;
  for (int i = 0; i < count; ++i) {
    dcfuzz::pb::Schedule s = dcfuzz::random_schedule(uint64_t(i));
    s.mutable_scenario()->set_kernel(kernel);
    scenarios.push_back(dcfuzz::to_scenario(s.scenario()));
  }
  Side with, without;
  for (int r = 0; r < rounds; ++r) {  // alternating, so drifts in machine load fall on both
    run_round(scenarios, r % 2 == 0, r, r % 2 == 0 ? &with : &without);
    run_round(scenarios, r % 2 != 0, r, r % 2 != 0 ? &with : &without);
  }
  const double rate_with = double(with.executions) / with.seconds;
  const double rate_without = double(without.executions) / without.seconds;
  std::printf("scenarios               %d random (%s), %d rounds each side\n", count,
              kernel_name.c_str(), rounds);
  std::printf("without oracles         %8.0f executions/s (%llu findings)\n", rate_without,
              static_cast<unsigned long long>(without.findings));
  std::printf("with oracles            %8.0f executions/s (%llu findings)\n", rate_with,
              static_cast<unsigned long long>(with.findings));
  std::printf("cost ratio              %.3f (without / with; target < 1.3)\n",
              rate_without / rate_with);
  return 0;
}
