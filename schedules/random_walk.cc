#include "schedules/random_walk.h"

namespace dcfuzz {

RandomWalkStrategy::RandomWalkStrategy(uint64_t seed, uint32_t preempt_per_mille,
                                       uint32_t fault_one_in)
    : rng_(seed), preempt_per_mille_(preempt_per_mille), fault_one_in_(fault_one_in) {}

int RandomWalkStrategy::pick_thread(const Decision& decision) {
  if (decision.runnable_count > 1 && rng_.below(1000) < preempt_per_mille_) {
    return decision.runnable[rng_.below(uint32_t(decision.runnable_count))];
  }
  return decision.fallback;
}

uint32_t RandomWalkStrategy::pick_value(uint32_t, uint32_t limit) {
  return rng_.below(8) == 0 ? rng_.below(limit) : 0;
}

}  // namespace dcfuzz
