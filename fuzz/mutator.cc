// The mutator's driver: one mutation through the table of fuzz/mutations.h,
// or a few drawn by weight; the byte-level entry point for libFuzzer.
#include "fuzz/mutator.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "fuzz/mutations.h"
#include "fuzz/schedule_cache.h"
#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

// One mutation in two: on the deep mutants of bench/mutants/, one in four
// needed more executions, and so did one in three once campaigns ran
// without crossover (every execution a mutation); every one, no fewer
// (docs/benchmarks.md, "What helped the search").
constexpr uint32_t kRandomWalkShare = 2;

}  // namespace

uint32_t Chance::mutate_scalar(uint32_t value) {
  uint8_t bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  size_t size = scalar_(bytes, sizeof value, sizeof value);
  std::memset(bytes + std::min(size, sizeof value), 0, sizeof value - std::min(size, sizeof value));
  uint32_t out;
  std::memcpy(&out, bytes, sizeof out);
  return out;
}

bool Mutator::apply(Mutation kind, pb::Schedule* schedule, uint32_t steps) {
  const MutationKind& mutation = mutation_kind(kind);
  if (options_.keep_scenario && mutation.changes_scenario) return false;
  return mutation.apply(chance_, schedule, steps);
}

bool Mutator::apply(Mutation kind, pb::Schedule* schedule, const Reached& reached) {
  chance_.reached = reached;
  return apply(kind, schedule, reached.steps);
}

void Mutator::mutate(pb::Schedule* schedule, uint32_t steps) {
  Reached reached;
  reached.steps = steps;
  mutate(schedule, reached);
}

void Mutator::mutate(pb::Schedule* schedule, const Reached& reached) {
  chance_.reached = reached;
  const uint32_t steps = reached.steps;
  // The portfolio: one mutation in kRandomWalkShare is a random walk's
  // sample alone (libFuzzer keeps it when it shows new coverage).
  if (chance_.coin(kRandomWalkShare) && apply(Mutation::random_scenario, schedule, steps)) {
    normalize(schedule);
    return;
  }
  int count = chance_.coin(4) ? 2 + int(chance_.below(3)) : 1;
  for (int done = 0, attempts = 0; done < count && attempts < 64; ++attempts) {
    const MutationKind& mutation = mutation_kind(Mutation(chance_.below(kMutationKinds)));
    if (mutation.one_in > 1 && !chance_.coin(mutation.one_in)) continue;
    if (apply(mutation.kind, schedule, steps)) ++done;
  }
  normalize(schedule);
}

size_t mutate_bytes(uint8_t* data, size_t size, size_t max_size, uint32_t seed, uint32_t steps,
                    ScalarMutate scalar, const MutatorOptions& options) {
  Reached reached;
  reached.steps = steps;
  return mutate_bytes(data, size, max_size, seed, reached, scalar, options);
}

size_t mutate_bytes(uint8_t* data, size_t size, size_t max_size, uint32_t seed,
                    const Reached& reached, ScalarMutate scalar, const MutatorOptions& options) {
  Mutator mutator(seed, scalar, options);
  // libFuzzer mutates what it just ran, the output of the last mutation, a
  // few times in a row: that schedule, which nothing needs any more, is
  // mutated in place instead of a copy of it (a copy was a sixth of the
  // mutator's time). Its bytes are still in `data`; they are parsed again
  // only if this first attempt is too big.
  auto schedule = take_written(data, size);
  std::shared_ptr<const pb::Schedule> input;
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (!schedule) {
      if (!input) input = parse_or_empty(data, size);
      schedule = copy_schedule(*input);
    }
    mutator.mutate(schedule.get(), reached);
    if (size_t n = write_bounded(std::move(schedule), data, max_size)) return n;
    schedule = nullptr;
  }
  if (!input) input = parse_or_empty(data, size);
  return write_bounded(input, data, max_size);  // 0 (the empty schedule) if even that is too big
}

}  // namespace dcfuzz
