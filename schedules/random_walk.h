// Random walk: at each decision, preempt to a random runnable thread with a
// small probability; random choices are non-zero with a small probability.
// Deterministic for a given seed. Optionally, each allocation fails with
// probability 1/fault_one_in (default: none fails).
#pragma once

#include <cstdint>

#include "schedules/rng.h"
#include "schedules/strategy.h"

namespace dcfuzz {

class RandomWalkStrategy final : public Strategy {
 public:
  // Preempts with probability `preempt_per_mille`/1000 at each decision;
  // fails each allocation with probability 1/`fault_one_in` (0: never).
  explicit RandomWalkStrategy(uint64_t seed, uint32_t preempt_per_mille = 100,
                              uint32_t fault_one_in = 0);
  const char* name() const override { return "random-walk"; }
  void begin(int threads) override {}
  int pick_thread(const Decision& decision) override;
  uint32_t pick_value(uint32_t call, uint32_t limit) override;
  bool fail_alloc(int, uint32_t, uint32_t) override {
    return fault_one_in_ && rng_.below(fault_one_in_) == 0;
  }

 private:
  Rng rng_;
  uint32_t preempt_per_mille_;
  uint32_t fault_one_in_;
};

}  // namespace dcfuzz
