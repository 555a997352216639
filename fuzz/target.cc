#include "fuzz/target.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/model.h"
#include "fuzz/coverage.h"
#include "fuzz/mutator.h"
#include "fuzz/recent_map.h"
#include "fuzz/schedule_cache.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/schedule_io.h"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv,
                                   int (*callback)(const uint8_t* data, size_t size));
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace dcfuzz {
namespace {

// How many scheduling decisions the execution of an input took: where the
// mutator can put new preemptions. Filled by every execution of the target;
// an input not in it (forgotten) is run once more. A function of the input
// alone, so the mutator stays deterministic.
class StepCache {
 public:
  static uint64_t key(const uint8_t* data, size_t size) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
    return h ^ size;
  }
  void put(uint64_t key, uint32_t steps) { steps_.put(key, steps); }
  bool get(uint64_t key, uint32_t* steps) {
    const uint32_t* known = steps_.find(key);
    if (known) *steps = *known;
    return known != nullptr;
  }

 private:
  RecentMap<uint64_t, uint32_t> steps_{1 << 16};
};

// Compiled model programs by scenario. Each corpus entry is mutated many
// times and about half of the mutations keep its scenario (the other half
// make a new one), so scenarios come back often; a program is immutable
// between executions (its state lives from before() to after()), so one can
// run any number of them.
class ProgramCache {
 public:
  Program& get(const pb::Scenario& scenario) {
    std::string key = scenario.SerializeAsString();
    if (auto* known = programs_.find(key)) return **known;
    return *programs_.put(std::move(key), make_dcache_program(to_scenario(scenario)));
  }

 private:
  RecentMap<std::string, std::unique_ptr<Program>> programs_{1024};
};

struct Target {
  TargetOptions options;
  InterleavingCoverage coverage;
  StepCache steps;
  ProgramCache programs;
};

Target& target() {
  static Target* t = new Target;  // never destroyed: libFuzzer exits from anywhere
  return *t;
}

// run_schedule(), with the program from the cache.
Execution run_cached(const pb::Schedule& schedule, const RunOptions& options) {
  ReplayStrategy replay(schedule);
  return run_program(target().programs.get(schedule.scenario()), replay, options);
}

// target_schedule() without copying the parsed schedule when it already has
// the campaign's kernel (a corpus imported for this campaign and its mutants).
std::shared_ptr<const pb::Schedule> shared_target_schedule(const uint8_t* data, size_t size) {
  auto schedule = parse_shared_schedule(data, size);
  if (!schedule || schedule->scenario().kernel() == target().options.kernel) return schedule;
  auto copy = std::make_shared<pb::Schedule>(*schedule);
  copy->mutable_scenario()->set_kernel(target().options.kernel);
  return copy;
}

uint32_t steps_of(const uint8_t* data, size_t size) {
  const uint64_t key = StepCache::key(data, size);
  uint32_t steps = 0;
  if (target().steps.get(key, &steps)) return steps;
  if (auto schedule = shared_target_schedule(data, size))
    steps = run_cached(*schedule, RunOptions()).steps;
  target().steps.put(key, steps);
  return steps;
}

// With start_seeds: `data` as a binary schedule in *out, if it is not one
// already (see TargetOptions::start_seeds). False: leave it as it is.
bool convert_input(const uint8_t* data, size_t size, unsigned pick, std::string* out) {
  const auto& seeds = target().options.start_seeds;
  if (seeds.empty() || parse_shared_schedule(data, size)) return false;
  if (size <= 1) {
    *out = seeds[pick % seeds.size()];
    return true;
  }
  pb::Schedule schedule;
  std::string error;
  if (!parse_schedule(std::string(reinterpret_cast<const char*>(data), size), &schedule, &error))
    return false;
  normalize(&schedule);
  schedule.mutable_scenario()->set_kernel(target().options.kernel);
  *out = to_binary(schedule);
  return true;
}

// With stamp_kernel: the bytes of a mutant, rewritten to name the target's kernel.
size_t stamp_kernel(uint8_t* data, size_t size, size_t max_size) {
  if (!target().options.stamp_kernel) return size;
  auto schedule = parse_shared_schedule(data, size);
  if (!schedule || schedule->scenario().kernel() == target().options.kernel) return size;
  pb::Schedule copy = *schedule;
  copy.mutable_scenario()->set_kernel(target().options.kernel);
  const std::string bytes = copy.SerializeAsString();
  if (bytes.size() > max_size) return size;
  std::copy(bytes.begin(), bytes.end(), data);
  return bytes.size();
}

}  // namespace

MutatorOptions mutator_options() {
  MutatorOptions options;
  options.keep_scenario = target().options.keep_scenario;
  return options;
}

void set_target(const TargetOptions& options) { target().options = options; }

bool target_schedule(const uint8_t* data, size_t size, pb::Schedule* out) {
  auto schedule = shared_target_schedule(data, size);
  if (!schedule) return false;
  *out = *schedule;
  return true;
}

int run_target_input(const uint8_t* data, size_t size) {
  Target& t = target();
  if (t.options.stop && t.options.stop->load(std::memory_order_relaxed)) {
    std::fflush(nullptr);
    _exit(0);
  }
  std::string converted;
  if (convert_input(data, size, 0, &converted)) {
    data = reinterpret_cast<const uint8_t*>(converted.data());
    size = converted.size();
  }
  const auto schedule = shared_target_schedule(data, size);
  if (!schedule) return -1;
  RunOptions options;
  if (t.options.interleaving_coverage) {
    t.coverage.begin();
    options.listener = &t.coverage;
  }
  Execution execution = run_cached(*schedule, options);
  t.steps.put(StepCache::key(data, size), execution.steps);
  if (t.options.executions) t.options.executions->fetch_add(1, std::memory_order_relaxed);
  if (execution.found && t.options.on_finding) t.options.on_finding(*schedule, execution);
  return 0;
}

void run_libfuzzer(const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  static char program[] = "dcfuzz-worker";
  argv.push_back(program);
  for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int argc = int(argv.size()) - 1;
  char** args = argv.data();
  int status = LLVMFuzzerRunDriver(&argc, &args, run_target_input);
  std::fflush(nullptr);
  std::exit(status);
}

}  // namespace dcfuzz

// libFuzzer's hooks, found by name.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::string converted;
  if (dcfuzz::convert_input(data, size, seed, &converted) && converted.size() <= max_size) {
    std::copy(converted.begin(), converted.end(), data);
    size = converted.size();
  }
  uint32_t steps = dcfuzz::steps_of(data, size);
  size = dcfuzz::mutate_bytes(data, size, max_size, seed, steps, LLVMFuzzerMutate,
                              dcfuzz::mutator_options());
  return dcfuzz::stamp_kernel(data, size, max_size);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1,
                                            const uint8_t* data2, size_t size2, uint8_t* out,
                                            size_t max_out_size, unsigned int seed) {
  const size_t size = dcfuzz::crossover_bytes(data1, size1, data2, size2, out, max_out_size, seed,
                                              LLVMFuzzerMutate, dcfuzz::mutator_options());
  return dcfuzz::stamp_kernel(out, size, max_out_size);
}
