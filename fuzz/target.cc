#include "fuzz/target.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/model.h"
#include "fuzz/coverage.h"
#include "fuzz/crash_handler.h"
#include "fuzz/mutations.h"
#include "fuzz/mutator.h"
#include "fuzz/recent_map.h"
#include "fuzz/schedule_cache.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/rng.h"
#include "schedules/schedule_io.h"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv,
                                   int (*callback)(const uint8_t* data, size_t size));
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace dcfuzz {
namespace {

// What the execution of an input reached (scheduling decisions, each
// thread's allocations, engine random choices): where the mutator can put
// new preemptions, faults and choices. Filled by every execution of the target; an input not in it
// (forgotten) is run once more. A function of the input alone, so the
// mutator stays deterministic.
class ReachedCache {
 public:
  // Remembers what the execution of these bytes reached; returns it.
  const Reached& put(const uint8_t* data, size_t size, const Execution& e) {
    Reached r;
    r.steps = e.steps;
    r.random_calls = e.random_calls;
    std::copy(std::begin(e.allocs), std::end(e.allocs), std::begin(r.allocs));
    reached_.put(key(data, size), r);
    last_bytes_.assign(reinterpret_cast<const char*>(data), size);
    last_ = r;
    return last_;
  }
  bool get(const uint8_t* data, size_t size, Reached* out) {
    // Mostly the input just run, which libFuzzer mutates next: compared
    // with it, not hashed byte by byte and looked up.
    if (size == last_bytes_.size() && std::memcmp(data, last_bytes_.data(), size) == 0) {
      *out = last_;
      return true;
    }
    const Reached* known = reached_.find(key(data, size));
    if (known) *out = *known;
    return known != nullptr;
  }

 private:
  static uint64_t key(const uint8_t* data, size_t size) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
    return h ^ size;
  }

  RecentMap<uint64_t, Reached> reached_{1 << 16};
  std::string last_bytes_;  // of the last put, and its Reached
  Reached last_;
};

// Compiled model programs by scenario. Each corpus entry is mutated many
// times and some of the mutations keep its scenario, so scenarios come back;
// a program is immutable between executions (its state lives from before()
// to after()), so one can run any number of them. Most executions still run
// a scenario not seen lately (a random walk's sample, a crossover): the
// programs of a generation the cache drops are compiled again for those, on
// their buffers, not freed.
class ProgramCache {
 public:
  Program& get(const pb::Scenario& scenario) {
    // The key is serialised into a buffer kept from one execution to the
    // next: no allocation on a hit.
    scenario.SerializeToString(&key_);
    if (auto* known = programs_.find(key_)) return **known;
    std::unique_ptr<Program> program;
    if (spare_.empty()) {
      program = make_dcache_program(to_scenario(scenario));
    } else {
      program = std::move(spare_.back());
      spare_.pop_back();
      // Into the buffers of the scenario the last remake left here.
      to_scenario(scenario, &scenario_);
      remake_dcache_program(*program, &scenario_);
    }
    return *programs_.put(key_, std::move(program), &spare_);
  }

 private:
  RecentMap<std::string, std::unique_ptr<Program>> programs_{1024};
  std::vector<std::unique_ptr<Program>> spare_;
  std::string key_;
  Scenario scenario_;  // a remade program's old scenario, refilled for the next
};

struct Target {
  TargetOptions options;
  InterleavingCoverage coverage;
  ReachedCache reached;
  ProgramCache programs;
  ReplayStrategy replay;  // run_cached's, reset for every execution
  uint64_t ran = 0;       // executions of this process (TargetOptions::max_executions)
};

Target& target() {
  static Target* t = new Target;  // never destroyed: libFuzzer exits from anywhere
  return *t;
}

// run_schedule() of `schedule`, parsed from the input `data`, with the
// program from the cache; the crash handler saves the input if it crashes.
Execution run_cached(const pb::Schedule& schedule, const uint8_t* data, size_t size,
                     const RunOptions& options) {
  Target& t = target();
  t.replay.reset(schedule);
  note_current_input(data, size);
  Execution e = run_program(t.programs.get(schedule.scenario()), t.replay, options);
  note_current_input(nullptr, 0);
  return e;
}

// The switches an input runs: the target's, but for the free ones, which
// stay as the input has them.
PatchSet target_switches(const pb::Scenario& scenario) {
  const TargetOptions& options = target().options;
  return fold_switches((switches_of(scenario) & options.free_switches) |
                       (options.switches & ~options.free_switches));
}

// Whether `scenario` already names the target's kernel.
bool has_target_kernel(const pb::Scenario& scenario) {
  return scenario.kernel() == target().options.kernel &&
         switches_of(scenario) == target_switches(scenario);
}

// target_schedule() without copying the parsed schedule when it already has
// the campaign's kernel (a corpus imported for this campaign and its mutants).
std::shared_ptr<const pb::Schedule> shared_target_schedule(const uint8_t* data, size_t size) {
  auto schedule = parse_shared_schedule(data, size);
  const TargetOptions& options = target().options;
  if (!schedule || (has_target_kernel(schedule->scenario()) &&
                    schedule->scenario().preempt_rt() == options.preempt_rt))
    return schedule;
  auto copy = std::make_shared<pb::Schedule>(*schedule);
  set_kernel(copy->mutable_scenario(), options.kernel, target_switches(schedule->scenario()));
  copy->mutable_scenario()->set_preempt_rt(options.preempt_rt);
  return copy;
}

Reached reached_of(const uint8_t* data, size_t size) {
  Reached reached;
  if (target().reached.get(data, size, &reached)) return reached;
  Execution e;
  if (auto schedule = shared_target_schedule(data, size))
    e = run_cached(*schedule, data, size, RunOptions());
  return target().reached.put(data, size, e);
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
  set_kernel(schedule.mutable_scenario(), target().options.kernel,
             target_switches(schedule.scenario()));
  *out = to_binary(schedule);
  return true;
}

// With stamp_kernel: the bytes of a mutant, rewritten to name the target's kernel.
size_t stamp_kernel(uint8_t* data, size_t size, size_t max_size) {
  if (!target().options.stamp_kernel) return size;
  auto schedule = parse_shared_schedule(data, size);
  if (!schedule || has_target_kernel(schedule->scenario())) return size;
  pb::Schedule copy = *schedule;
  set_kernel(copy.mutable_scenario(), target().options.kernel,
             target_switches(schedule->scenario()));
  const std::string bytes = copy.SerializeAsString();
  if (bytes.size() > max_size) return size;
  std::copy(bytes.begin(), bytes.end(), data);
  return bytes.size();
}

}  // namespace

MutatorOptions mutator_options() {
  MutatorOptions options;
  options.keep_scenario = target().options.keep_scenario;
  options.free_switches = target().options.free_switches;
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
  if ((t.options.stop && t.options.stop->load(std::memory_order_relaxed)) ||
      (t.options.max_executions && t.ran >= t.options.max_executions)) {
    std::fflush(nullptr);
    _exit(0);
  }
  std::string converted;
  if (convert_input(data, size, 0, &converted)) {
    data = reinterpret_cast<const uint8_t*>(converted.data());
    size = converted.size();
  }
  auto schedule = shared_target_schedule(data, size);
  if (!schedule && size <= 1) {
    // libFuzzer's own first input when the corpus is empty ("\n"): the empty
    // schedule, as the mutator reads bytes that do not parse (parse_or_empty).
    static const uint8_t kNone = 0;
    schedule = shared_target_schedule(&kNone, 0);
  }
  if (!schedule) return -1;
  RunOptions options;
  if (t.options.interleaving_coverage) {
    t.coverage.begin();
    options.listener = &t.coverage;
  }
  Execution execution = run_cached(*schedule, data, size, options);
  note_schedule_ran();
  t.reached.put(data, size, execution);
  ++t.ran;
  if (t.options.executions) t.options.executions->fetch_add(1, std::memory_order_relaxed);
  if (execution.found && t.options.on_finding) t.options.on_finding(*schedule, execution);
  return 0;
}

namespace {

// The warm-up's byte mutator: random-scenario draws no number through it,
// and libFuzzer's (LLVMFuzzerMutate) is not ready before its driver starts.
size_t keep_bytes(uint8_t*, size_t size, size_t) { return size; }

}  // namespace

std::vector<std::string> run_warmup(uint64_t seed, uint32_t samples) {
  std::vector<std::string> inputs;
  const MutatorOptions options = mutator_options();
  if (options.keep_scenario) return inputs;
  Rng rng(seed);
  Mutator mutator(uint32_t(rng.next() >> 32), keep_bytes, options);
  pb::Schedule base;
  set_kernel(base.mutable_scenario(), target().options.kernel, target().options.switches);
  base.mutable_scenario()->set_preempt_rt(target().options.preempt_rt);
  Reached reached;
  reached.steps = 100;  // a random walk's first guess too (PCT's k, strategy_worker.cc)
  for (uint32_t i = 0; i < samples; ++i) {
    pb::Schedule sample = base;
    if (!mutator.apply(Mutation::random_scenario, &sample, reached)) break;
    normalize(&sample);
    inputs.push_back(to_binary(sample));
    const auto* data = reinterpret_cast<const uint8_t*>(inputs.back().data());
    const size_t size = inputs.back().size();
    run_target_input(data, size);
    // The next sample's preemptions spread over this one's steps, as a
    // sample the mutator draws spreads them over its parent's.
    Reached last;
    if (target().reached.get(data, size, &last) && last.steps > 0) reached.steps = last.steps;
  }
  return inputs;
}

void run_libfuzzer(const std::vector<std::string>& arguments) {
  const TargetOptions& options = target().options;
  if (options.warmup_samples) {
    // In the worker's log, before libFuzzer's lines: its execution counts
    // (#N) do not include these.
    const size_t ran = run_warmup(options.warmup_seed, options.warmup_samples).size();
    std::fprintf(stderr, "dcfuzz: warm-up: %zu random-walk samples before libFuzzer starts\n", ran);
  }
  if (options.max_executions && target().ran >= options.max_executions) {  // the share is spent
    std::fflush(nullptr);
    std::exit(0);
  }
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
  const dcfuzz::Reached reached = dcfuzz::reached_of(data, size);
  size = dcfuzz::mutate_bytes(data, size, max_size, seed, reached, LLVMFuzzerMutate,
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
