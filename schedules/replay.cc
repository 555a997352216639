#include "schedules/replay.h"

#include <algorithm>

namespace dcfuzz {

int thread_of(uint32_t value, int threads) {
  return int((uint64_t(value) + uint64_t(threads) - 1) % uint64_t(threads));
}

void ReplayStrategy::reset(const pb::Schedule& schedule) {
  preemptions_.clear();
  choices_.clear();
  faults_.clear();
  preemption_cursor_ = 0;
  choice_cursor_ = 0;
  threads_ = 1;
  for (const auto& p : schedule.preemptions()) preemptions_.emplace_back(p.step(), p.thread());
  for (const auto& c : schedule.choices()) choices_.emplace_back(c.call(), c.value());
  for (const auto& f : schedule.faults()) faults_.emplace_back(f.thread(), std::max(1u, f.nth()));
  // Stable: of two entries for one step or call, the first listed wins.
  auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::stable_sort(preemptions_.begin(), preemptions_.end(), by_key);
  std::stable_sort(choices_.begin(), choices_.end(), by_key);
}

void ReplayStrategy::begin(int threads) {
  threads_ = threads;
  preemption_cursor_ = 0;
  choice_cursor_ = 0;
}

// Keys come in increasing order during an execution, so a cursor suffices.
uint32_t ReplayStrategy::lookup(const Pairs& pairs, size_t& cursor, uint32_t key,
                                uint32_t missing) {
  while (cursor < pairs.size() && pairs[cursor].first < key) ++cursor;
  if (cursor < pairs.size() && pairs[cursor].first == key) return pairs[cursor].second;
  return missing;
}

int ReplayStrategy::pick_thread(const Decision& decision) {
  constexpr uint32_t kNone = ~0u;
  uint32_t value = lookup(preemptions_, preemption_cursor_, decision.step, kNone);
  return value == kNone ? decision.fallback : thread_of(value, threads_);
}

uint32_t ReplayStrategy::pick_value(uint32_t call, uint32_t limit) {
  return lookup(choices_, choice_cursor_, call, 0) % limit;
}

bool ReplayStrategy::fail_alloc(int thread, uint32_t nth_of_thread, uint32_t nth_global) {
  for (const auto& [who, nth] : faults_) {
    if (who == 0 ? nth == nth_global
                 : (thread_of(who, threads_) == thread && nth == nth_of_thread)) {
      return true;
    }
  }
  return false;
}

}  // namespace dcfuzz
