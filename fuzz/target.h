// The libFuzzer target of a campaign worker: input bytes -> binary schedule
// (an input that does not parse is ignored) -> normalised, with the
// campaign's kernel variant -> one execution of the dcache model, with
// interleaving coverage. A finding is handed to the campaign and the input
// returns normally, so libFuzzer goes on after it. This file also holds
// libFuzzer's custom mutator and crossover hooks (fuzz/mutator.h does the work).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fuzz/mutator.h"
#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

struct TargetOptions {
  pb::Kernel kernel = pb::V4;
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
};

// Configures this process's target; before run_libfuzzer() or run_target_input().
void set_target(const TargetOptions& options);

// The libFuzzer callback: one execution. 0, or -1 for an input that does not
// parse (libFuzzer then keeps it out of the corpus).
int run_target_input(const uint8_t* data, size_t size);

// The schedule the target runs for these bytes (parsed, normalised, the
// campaign's kernel); false if they do not parse.
bool target_schedule(const uint8_t* data, size_t size, pb::Schedule* out);

// The mutator's options for this process's target (its custom mutator and
// crossover hooks use them).
MutatorOptions mutator_options();

// Runs libFuzzer in this process on run_target_input with these flags and
// corpus directories (libFuzzer's own syntax, without a program name).
// libFuzzer ends the process itself (exit()) when the campaign time is up.
[[noreturn]] void run_libfuzzer(const std::vector<std::string>& arguments);

}  // namespace dcfuzz
