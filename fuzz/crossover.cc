// Crossover: a child of two schedules (see Mutator::crossover in mutator.h).
#include <algorithm>
#include <memory>

#include "fuzz/mutator.h"
#include "fuzz/schedule_cache.h"
#include "schedules/normalize.h"

namespace dcfuzz {

pb::Schedule Mutator::crossover(const pb::Schedule& a, const pb::Schedule& b) {
  pb::Schedule child = a;
  // With the scenario kept, only the two that take b's interleaving.
  switch (options_.keep_scenario ? 1 + 2 * chance_.below(2) : chance_.below(4)) {
    case 0: {  // threads of b replace or join those of a
      auto* threads = child.mutable_scenario()->mutable_threads();
      for (const auto& thread : b.scenario().threads()) {
        if (!chance_.coin(2)) continue;
        if (threads->size() < Limits::kThreads && chance_.coin(2)) {
          *threads->Add() = thread;
        } else {
          *threads->Mutable(int(chance_.below(uint32_t(threads->size())))) = thread;
        }
      }
      break;
    }
    case 1:  // b's interleaving on a's scenario
      *child.mutable_preemptions() = b.preemptions();
      *child.mutable_faults() = b.faults();
      *child.mutable_choices() = b.choices();
      break;
    case 2:  // b's tree and filesystem under a's threads
      *child.mutable_scenario()->mutable_tree() = b.scenario().tree();
      child.mutable_scenario()->set_fs(b.scenario().fs());
      break;
    default: {  // a's preemptions before a step, b's from it on
      uint32_t last = 0;
      for (const auto& p : b.preemptions()) last = std::max(last, p.step());
      uint32_t cut = chance_.below(last + 2);
      auto* ps = child.mutable_preemptions();
      ps->erase(std::remove_if(ps->begin(), ps->end(),
                               [&](const pb::Preemption& p) { return p.step() >= cut; }),
                ps->end());
      for (const auto& p : b.preemptions()) {
        if (p.step() >= cut) *ps->Add() = p;
      }
      break;
    }
  }
  normalize(&child);
  return child;
}

size_t crossover_bytes(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                       uint8_t* out, size_t max_size, uint32_t seed, ScalarMutate scalar,
                       const MutatorOptions& options) {
  Mutator mutator(seed, scalar, options);
  auto child = std::make_shared<pb::Schedule>(
      mutator.crossover(*parse_or_empty(a, a_size), *parse_or_empty(b, b_size)));
  return write_bounded(std::move(child), out, max_size);
}

}  // namespace dcfuzz
