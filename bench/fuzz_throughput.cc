// Executions per second of the fuzz target against Relacy's own random
// scheduler, in the same process, on the same scenarios (the shipped seeds).
//
//   fuzz_throughput [SEEDS_DIR] [SECONDS_PER_SIDE]
//
// "relacy-random": run_program_relacy_random on each seed's program.
// "target": what a campaign worker does per input, minus libFuzzer itself --
// parse, normalise, build the program, run it with interleaving coverage
// (fuzz/target.h) -- on each input as it is, and after one mutation
// (fuzz/mutator.h). SEEDS_DIR may also be a campaign's OUT/corpus: the
// scenarios that campaign ran.
#include <dirent.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/model.h"
#include "fuzz/mutator.h"
#include "fuzz/target.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<dcfuzz::pb::Schedule> load_seeds(const std::string& dir) {
  std::vector<dcfuzz::pb::Schedule> seeds;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      dcfuzz::pb::Schedule s;
      std::string error;
      if (e->d_name[0] != '.' && dcfuzz::load_schedule(dir + "/" + e->d_name, &s, &error)) {
        s.mutable_scenario()->set_kernel(dcfuzz::pb::V4);
        seeds.push_back(s);
        if (seeds.size() == 500) break;  // a sample of a big corpus
      }
    }
    closedir(d);
  }
  return seeds;
}

double relacy_random_rate(const std::vector<dcfuzz::pb::Schedule>& seeds, double budget) {
  uint64_t executions = 0;
  const auto start = Clock::now();
  for (size_t i = 0; seconds_since(start) < budget; ++i) {
    const auto& seed = seeds[i % seeds.size()];
    auto program = dcfuzz::make_dcache_program(dcfuzz::to_scenario(seed.scenario()));
    executions += dcfuzz::run_program_relacy_random(*program, 1000);
  }
  return double(executions) / seconds_since(start);
}

size_t flip_scalar(uint8_t* data, size_t size, size_t) {
  static uint32_t n = 0;
  ++n;
  if (size) data[n % size] ^= uint8_t(1u << (n % 8));
  return size;
}

// Each input as it is (mutations == false) or after one mutation, as a
// campaign worker runs them.
double target_rate(const std::vector<dcfuzz::pb::Schedule>& inputs, double budget, bool mutations) {
  dcfuzz::set_target(dcfuzz::TargetOptions{});
  std::vector<std::string> bytes;
  for (const auto& input : inputs) bytes.push_back(input.SerializeAsString());
  uint64_t executions = 0;
  std::vector<uint8_t> buffer(4096);
  const auto start = Clock::now();
  while (seconds_since(start) < budget) {
    for (size_t i = 0; i < bytes.size() && seconds_since(start) < budget; ++i) {
      const std::string& b = bytes[i];
      std::copy(b.begin(), b.end(), buffer.begin());
      size_t size = b.size();
      if (mutations) {
        size = dcfuzz::mutate_bytes(buffer.data(), size, buffer.size(), uint32_t(executions), 200,
                                    flip_scalar);
      }
      dcfuzz::run_target_input(buffer.data(), size);
      ++executions;
    }
  }
  return double(executions) / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "corpus/seeds";
  const double budget = argc > 2 ? std::atof(argv[2]) : 10;
  const auto seeds = load_seeds(dir);
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz_throughput: no seeds in %s\n", dir.c_str());
    return 2;
  }
  const double relacy = relacy_random_rate(seeds, budget);
  const double replay = target_rate(seeds, budget, false);
  const double mutate = target_rate(seeds, budget, true);
  std::printf("inputs                  %zu schedules from %s\n", seeds.size(), dir.c_str());
  std::printf("relacy-random           %8.0f executions/s\n", relacy);
  std::printf("target (inputs as is)   %8.0f executions/s  ratio %.2f\n", replay, replay / relacy);
  std::printf("target (one mutation)   %8.0f executions/s  ratio %.2f\n", mutate, mutate / relacy);
  return 0;
}
