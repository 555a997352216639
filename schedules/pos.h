// POS (partial order sampling, Yuan, Yang and Gu, CAV 2018), in its basic
// form: every pending event -- each thread's next step -- has a random
// priority, the runnable thread whose event has the highest priority runs,
// and once a thread has run, its next event gets a fresh priority (the
// priorities of the others stay as drawn). Deterministic for a seed.
//
// Not modelled: full POS also re-draws the priorities of the pending events
// that race with the one just run (same object, one of them a write), which
// makes it sample partial orders more evenly. A Decision says nothing of what
// each thread's next event touches, so that step is left out. The engine's
// random choices (a writer's optimistic spin, an RCU walk's miss) are drawn
// as random walk draws them: non-zero with a small probability. Optionally,
// each allocation fails with probability 1/fault_one_in, as in random walk
// and PCT (default: none fails).
#pragma once

#include <cstdint>
#include <vector>

#include "schedules/rng.h"
#include "schedules/strategy.h"

namespace dcfuzz {

class PosStrategy final : public Strategy {
 public:
  // Fails each allocation with probability 1/`fault_one_in` (0: never).
  explicit PosStrategy(uint64_t seed, uint32_t fault_one_in = 0);
  const char* name() const override { return "pos"; }
  void begin(int threads) override;
  int pick_thread(const Decision& decision) override;
  uint32_t pick_value(uint32_t call, uint32_t limit) override;
  bool fail_alloc(int, uint32_t, uint32_t) override {
    return fault_one_in_ && rng_.below(fault_one_in_) == 0;
  }

 private:
  Rng rng_;
  uint32_t fault_one_in_;
  std::vector<uint64_t> priority_;  // of each thread's next event; higher runs first
};

}  // namespace dcfuzz
