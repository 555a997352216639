// The schedule-aware mutator: libFuzzer's custom mutator and crossover work on
// the structure of a schedule -- preemptions, operations, names, threads,
// faults, the initial tree -- never on its raw bytes. Numbers (a preemption's
// step, a fault's allocation) go through libFuzzer's own byte mutator, so its
// comparison feedback still helps. Names come from a small alphabet with case
// variants (foo/Foo/FOO), so that names collide, also on the case-insensitive
// filesystem. Deterministic: same seed, same input, same output.
//
// Here the interface and the driver (mutator.cc); the mutations and their
// table are in mutations.cc, crossover in crossover.cc.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/scenario.h"
#include "schedule.pb.h"
#include "schedules/normalize.h"
#include "schedules/rng.h"

namespace dcfuzz {

// The kinds of mutation, in the order of their table (fuzz/mutations.cc:
// name, function, weight, whether it changes the scenario).
enum class Mutation {
  add_preemption,
  move_preemption,
  drop_preemption,
  retarget_preemption,
  change_op,
  change_name,
  add_op,
  drop_op,
  add_thread,
  drop_thread,
  add_fault,
  drop_fault,
  change_fault,
  change_choice,
  add_node,
  drop_node,
  change_node,
  change_fs,
  scatter_preemptions,  // a random walk's interleaving: new preemptions at one step in ten
  random_scenario,      // a whole new scenario from schedules/random_scenario.h
  flip_switch,          // turns one of Chance::free_switches on or off (core/patches.def)
};
constexpr int kMutationKinds = int(Mutation::flip_switch) + 1;
const char* mutation_name(Mutation kind);

// Mutations of the interleaving only (preemptions, faults, engine choices);
// every other kind changes the scenario.
bool changes_scenario(Mutation kind);

struct MutatorOptions {
  // Never change the scenario (dcfuzz fuzz --keep-scenario): the mutations
  // that would are not applied, and crossover takes only the interleaving of
  // the other parent.
  bool keep_scenario = false;
  // The patch switches flip-switch may turn on or off: every modelled one,
  // unless a campaign pins its kernel (fuzz --kernel ...,~SWITCH frees some).
  PatchSet free_switches = modelled_switches();
};

// What the execution of the input reached: where new preemptions, faults
// and engine choices can go. A function of the input alone (the target runs it), so the
// mutator stays deterministic.
struct Reached {
  uint32_t steps = 0;                      // scheduling decisions taken
  uint32_t allocs[Limits::kThreads] = {};  // allocations of each thread: its fault points
  uint32_t random_calls = 0;               // engine random choices: where choices count
};

// Mutates `size` bytes in place (room for `max_size`), returns the new size:
// LLVMFuzzerMutate in a campaign, something deterministic in tests.
using ScalarMutate = size_t (*)(uint8_t* data, size_t size, size_t max_size);

// What mutations and crossover draw on: a generator seeded per call, and the
// byte mutator for numbers.
class Chance {
 public:
  Chance(uint32_t seed, ScalarMutate scalar, PatchSet free_switches = modelled_switches())
      : free_switches(free_switches), rng_(seed), scalar_(scalar) {}
  uint64_t next() { return rng_.next(); }
  uint32_t below(uint32_t limit) { return rng_.below(limit); }
  bool coin(uint32_t one_in) { return below(one_in) == 0; }
  // `value` through the byte mutator (its four bytes; lost bytes become 0).
  uint32_t mutate_scalar(uint32_t value);

  const PatchSet free_switches;  // what flip-switch may change (MutatorOptions)
  Reached reached;               // of the input being mutated (Mutator sets it)

 private:
  Rng rng_;
  ScalarMutate scalar_;
};

class Mutator {
 public:
  Mutator(uint32_t seed, ScalarMutate scalar, const MutatorOptions& options = {})
      : chance_(seed, scalar, options.free_switches), options_(options) {}

  // Applies one mutation of `kind` to a normalised schedule whose execution
  // took `steps` scheduling decisions (where new preemptions can go). Returns
  // false, leaving `schedule` unchanged, when the kind does not apply (nothing
  // to drop, no room to add, a scenario kept). The result may need normalize().
  bool apply(Mutation kind, pb::Schedule* schedule, uint32_t steps);
  bool apply(Mutation kind, pb::Schedule* schedule, const Reached& reached);

  // One or a few random mutations that apply; the result is normalised.
  void mutate(pb::Schedule* schedule, uint32_t steps);
  void mutate(pb::Schedule* schedule, const Reached& reached);

  // A child of two normalised schedules: threads of one spliced into the
  // other, the interleaving of one on the scenario of the other, the tree of
  // one with the threads of the other, or preemptions merged at a step (with
  // keep_scenario: only the two that keep the scenario of `a` -- the other's
  // interleaving, or the preemptions merged).
  pb::Schedule crossover(const pb::Schedule& a, const pb::Schedule& b);

 private:
  Chance chance_;
  MutatorOptions options_;
};

// The byte-level entry points behind LLVMFuzzerCustomMutator and
// LLVMFuzzerCustomCrossOver; bytes are parsed and remembered through
// fuzz/schedule_cache.h. An input that does not parse counts as the empty
// schedule. Outputs are normalised binary schedules of at most `max_size`
// bytes. `steps`: scheduling decisions of the input's execution.
size_t mutate_bytes(uint8_t* data, size_t size, size_t max_size, uint32_t seed, uint32_t steps,
                    ScalarMutate scalar, const MutatorOptions& options = {});
size_t mutate_bytes(uint8_t* data, size_t size, size_t max_size, uint32_t seed,
                    const Reached& reached, ScalarMutate scalar,
                    const MutatorOptions& options = {});
size_t crossover_bytes(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                       uint8_t* out, size_t max_size, uint32_t seed, ScalarMutate scalar,
                       const MutatorOptions& options = {});

}  // namespace dcfuzz
