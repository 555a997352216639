// PCT (probabilistic concurrency testing, Burckhardt et al., ASPLOS 2010):
// threads get random distinct priorities, the highest-priority runnable
// thread always runs, and at `depth - 1` random steps the running thread's
// priority drops below all others. Finds a bug of depth d with probability
// at least 1/(n * k^(d-1)) per execution (n threads, k steps). Optionally,
// each allocation fails with probability 1/fault_one_in (default: none fails).
#pragma once

#include <cstdint>
#include <vector>

#include "schedules/rng.h"
#include "schedules/strategy.h"

namespace dcfuzz {

class PctStrategy final : public Strategy {
 public:
  PctStrategy(uint64_t seed, int depth, uint32_t expected_steps, uint32_t fault_one_in = 0);
  const char* name() const override { return "pct"; }
  void begin(int threads) override;
  int pick_thread(const Decision& decision) override;
  uint32_t pick_value(uint32_t, uint32_t) override { return 0; }
  bool fail_alloc(int, uint32_t, uint32_t) override {
    return fault_one_in_ && rng_.below(fault_one_in_) == 0;
  }

 private:
  Rng rng_;
  int depth_;
  uint32_t expected_steps_;
  uint32_t fault_one_in_;
  std::vector<int> priority_;            // per thread; higher runs first
  std::vector<uint32_t> change_points_;  // steps where the runner's priority drops
  int next_low_ = 0;
};

}  // namespace dcfuzz
