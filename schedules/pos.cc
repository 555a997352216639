#include "schedules/pos.h"

#include <cstddef>

namespace dcfuzz {

PosStrategy::PosStrategy(uint64_t seed, uint32_t fault_one_in)
    : rng_(seed), fault_one_in_(fault_one_in) {}

void PosStrategy::begin(int threads) {
  priority_.resize(std::size_t(threads));
  for (auto& p : priority_) p = rng_.next();
}

int PosStrategy::pick_thread(const Decision& d) {
  if (d.current >= 0) priority_[std::size_t(d.current)] = rng_.next();  // its event ran: a new one
  int best = d.runnable[0];
  for (int i = 1; i < d.runnable_count; ++i) {
    if (priority_[std::size_t(d.runnable[i])] > priority_[std::size_t(best)]) best = d.runnable[i];
  }
  return best;
}

uint32_t PosStrategy::pick_value(uint32_t, uint32_t limit) {
  return rng_.below(8) == 0 ? rng_.below(limit) : 0;
}

}  // namespace dcfuzz
