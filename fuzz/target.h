// The libFuzzer target of a campaign worker: input bytes -> binary schedule
// (an input that does not parse is ignored; libFuzzer's one-byte first input runs the empty
// schedule) -> normalised, with the campaign's kernel variant -> one execution of the dcache model,
// with interleaving coverage. A finding is handed to the campaign and the input returns normally,
// so libFuzzer goes on after it. This file also holds libFuzzer's custom mutator and crossover
// hooks (fuzz/mutator.h does the work).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "fuzz/mutator.h"
#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

struct TargetOptions {
  pb::Kernel kernel = pb::V4;
  bool preempt_rt = false;
  // Every input runs these switches, but for the free ones, which keep the
  // input's (flip-switch changes them).
  PatchSet switches = variant_info(Kernel::v4).switches;
  PatchSet free_switches = 0;
  bool interleaving_coverage = true;
  // The mutator never changes a scenario (fuzz --keep-scenario).
  bool keep_scenario = false;
  // Counts executions (shared with the campaign's progress line); may be null.
  std::atomic<uint64_t>* executions = nullptr;
  // When set, the process exits (status 0) before its next execution; may be null.
  const std::atomic<bool>* stop = nullptr;
  // Called for every execution that found something, with its (normalised) schedule.
  std::function<void(const pb::Schedule&, const Execution&)> on_finding;
  // When set (dcfuzz_fuzzer, where the corpus is libFuzzer's and not a
  // campaign's binary import): an input that is not a binary schedule is
  // turned into one, for the execution and for the mutator. Text format is
  // converted; libFuzzer's own starting input when it has no corpus (empty,
  // or one newline) becomes one of these binary schedules (the shipped seeds).
  std::vector<std::string> start_seeds;
  // Every input the mutator and crossover make names `kernel`, so that an
  // input saved on its own (a crash file) replays on the variant it ran on.
  bool stamp_kernel = false;
  // A campaign worker's warm-up (run_warmup): this many random-walk samples
  // run before libFuzzer starts, drawn from warmup_seed.
  uint32_t warmup_samples = 0;
  uint64_t warmup_seed = 0;
  // A campaign worker's share of --max-executions (0: no bound): once it
  // has run this many, the process exits (status 0) at its next input, or
  // after the warm-up if that used the share up.
  // libFuzzer's -runs alone does not bound it: libFuzzer runs every input
  // of the corpus it starts from before it counts.
  uint64_t max_executions = 0;
};

// Configures this process's target; before run_libfuzzer() or run_target_input().
void set_target(const TargetOptions& options);

// The libFuzzer callback: one execution. 0, or -1 for an input that does not
// parse (libFuzzer then keeps it out of the corpus).
int run_target_input(const uint8_t* data, size_t size);

// The schedule the target runs for these bytes (parsed, normalised, the
// campaign's kernel); false if they do not parse.
bool target_schedule(const uint8_t* data, size_t size, pb::Schedule* out);

// The warm-up of a campaign worker: `samples` random-walk samples (the
// mutator's random-scenario mutation on the target's kernel: a random
// scenario, preemptions at one step in ten of the previous sample's
// execution, random choices, a fault early in every thread), each run
// through run_target_input, so it is counted and a finding takes the same
// path. A function of `seed` alone. Returns the inputs run, in order; none
// with keep_scenario (a sample is a new scenario).
//
// Why: before its first mutation libFuzzer runs the empty input and the
// corpus (the five shipped seeds: no faults, no deep bug), and a mutation is
// a sample only one time in two; random walk's first execution is already a
// sample. On the deep mutants of bench/mutants/ (fuzzing alone, 9 seeds,
// against random walk's and PCT's medians) the median ratio went 0.47 ->
// 0.14 with 64 samples (at most half on 10 -> 14 of 18); 16 and 32 samples
// gave 0.20 and 0.18 (13 of 18), 128 0.16 (14 of 18); samples without
// faults (half of them) 0.38 (12 of 18): the mutants that need no fault
// need 3-4 threads, which those samples did not find much sooner.
constexpr uint32_t kWarmupSamples = 64;
std::vector<std::string> run_warmup(uint64_t seed, uint32_t samples);

// The mutator's options for this process's target (its custom mutator and
// crossover hooks use them).
MutatorOptions mutator_options();

// Runs libFuzzer in this process on run_target_input with these flags and
// corpus directories (libFuzzer's own syntax, without a program name).
// libFuzzer ends the process itself (exit()) when the campaign time is up.
[[noreturn]] void run_libfuzzer(const std::vector<std::string>& arguments);

}  // namespace dcfuzz
