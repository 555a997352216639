// The kinds of mutation as one table: each kind's name (for tests and
// stats), the function that applies it, its weight, and whether it changes
// the scenario. Mutator::apply dispatches through it, Mutator::mutate draws
// from it, mutation_name() and changes_scenario() read it.
#pragma once

#include <cstdint>

#include "fuzz/mutator.h"

namespace dcfuzz {

// Applies one mutation to `schedule` (its execution took `steps` scheduling
// decisions); false, leaving it unchanged, when the kind does not apply.
using MutationFn = bool (*)(Chance& chance, pb::Schedule* schedule, uint32_t steps);

struct MutationKind {
  Mutation kind;     // its row: the table is in the order of enum Mutation
  const char* name;  // "add-preemption"
  MutationFn apply;
  // The weight: a kind drawn by Mutator::mutate is tried one time in
  // `one_in` (1: always).
  uint32_t one_in;
  // False for mutations of the interleaving only (preemptions, faults,
  // engine choices); dcfuzz fuzz --keep-scenario applies only those.
  bool changes_scenario;
};

const MutationKind& mutation_kind(Mutation kind);

}  // namespace dcfuzz
