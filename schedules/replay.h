// Replay: the strategy that obeys a schedule. Decisions the schedule does not
// list take the default (fallback thread, value 0, allocation succeeds).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "schedule.pb.h"
#include "schedules/strategy.h"

namespace dcfuzz {

class ReplayStrategy final : public Strategy {
 public:
  ReplayStrategy() = default;
  explicit ReplayStrategy(const pb::Schedule& schedule) { reset(schedule); }
  // Obeys `schedule` from now on (reusing the buffers: the fuzz target runs one per execution).
  void reset(const pb::Schedule& schedule);
  const char* name() const override { return "replay"; }
  void begin(int threads) override;
  int pick_thread(const Decision& decision) override;
  uint32_t pick_value(uint32_t call, uint32_t limit) override;
  bool fail_alloc(int thread, uint32_t nth_of_thread, uint32_t nth_global) override;

 private:
  using Pairs = std::vector<std::pair<uint32_t, uint32_t>>;  // sorted by first
  static uint32_t lookup(const Pairs& pairs, size_t& cursor, uint32_t key, uint32_t missing);
  Pairs preemptions_;  // step -> thread (1-based, any value)
  Pairs choices_;      // call -> value
  Pairs faults_;       // thread (0: global) -> nth
  size_t preemption_cursor_ = 0;
  size_t choice_cursor_ = 0;
  int threads_ = 1;
};

// Which thread index (0-based) a 1-based thread value of a schedule means:
// values are taken modulo the thread count (0 is the last thread).
int thread_of(uint32_t value, int threads);

}  // namespace dcfuzz
