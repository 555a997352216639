#include "schedules/pct.h"

#include <algorithm>

namespace dcfuzz {

PctStrategy::PctStrategy(uint64_t seed, int depth, uint32_t expected_steps, uint32_t fault_one_in)
    : rng_(seed),
      depth_(depth),
      expected_steps_(std::max(1u, expected_steps)),
      fault_one_in_(fault_one_in) {}

void PctStrategy::begin(int threads) {
  priority_.resize(size_t(threads));
  for (int t = 0; t < threads; ++t) priority_[size_t(t)] = depth_ + t;  // above all drops
  for (int t = threads - 1; t > 0; --t) {
    std::swap(priority_[size_t(t)], priority_[rng_.below(uint32_t(t + 1))]);
  }
  change_points_.clear();
  for (int i = 1; i < depth_; ++i) change_points_.push_back(rng_.below(expected_steps_));
  std::sort(change_points_.begin(), change_points_.end());
  next_low_ = depth_ - 1;
}

int PctStrategy::pick_thread(const Decision& d) {
  if (d.current >= 0 && std::binary_search(change_points_.begin(), change_points_.end(), d.step)) {
    priority_[size_t(d.current)] = next_low_--;
  }
  int best = d.runnable[0];
  for (int i = 1; i < d.runnable_count; ++i) {
    if (priority_[size_t(d.runnable[i])] > priority_[size_t(best)]) best = d.runnable[i];
  }
  return best;
}

}  // namespace dcfuzz
