#include "schedules/bounded_search.h"

#include <deque>
#include <utility>
#include <vector>

#include "schedules/replay.h"

namespace dcfuzz {
namespace {

using Preemptions = std::vector<std::pair<uint32_t, int>>;  // (step, thread), steps ascending

// Takes the listed preemptions, defers the rest to the base schedule, and
// notes every decision where another thread could have run.
class PrefixStrategy final : public Strategy {
 public:
  struct Alternative {
    uint32_t step;
    int thread;
  };
  PrefixStrategy(const pb::Schedule& base, const Preemptions& preemptions)
      : base_(base), preemptions_(preemptions) {}
  const char* name() const override { return "bounded-search"; }
  void begin(int threads) override {
    base_.begin(threads);
    next_ = 0;
    alternatives_.clear();
  }
  int pick_thread(const Decision& d) override {
    for (int i = 0; i < d.runnable_count; ++i) {
      if (d.runnable[i] != d.fallback) alternatives_.push_back({d.step, d.runnable[i]});
    }
    if (next_ < preemptions_.size() && preemptions_[next_].first == d.step) {
      return preemptions_[next_++].second;
    }
    return d.fallback;
  }
  uint32_t pick_value(uint32_t call, uint32_t limit) override {
    return base_.pick_value(call, limit);
  }
  bool fail_alloc(int thread, uint32_t nth, uint32_t global) override {
    return base_.fail_alloc(thread, nth, global);
  }
  const std::vector<Alternative>& alternatives() const { return alternatives_; }

 private:
  ReplayStrategy base_;
  const Preemptions& preemptions_;
  size_t next_ = 0;
  std::vector<Alternative> alternatives_;
};

}  // namespace

SearchResult bounded_search(Program& program, const pb::Schedule& base, int bound,
                            uint64_t max_executions) {
  SearchResult result;
  std::deque<Preemptions> queue;  // breadth first: fewer preemptions first
  queue.emplace_back();
  while (!queue.empty()) {
    if (result.executions >= max_executions) break;
    Preemptions preemptions = std::move(queue.front());
    queue.pop_front();
    PrefixStrategy strategy(base, preemptions);
    Execution execution = run_program(program, strategy);
    ++result.executions;
    if (execution.found) {
      result.found = true;
      result.execution = std::move(execution);
      return result;
    }
    if (int(preemptions.size()) >= bound) continue;
    const uint32_t after = preemptions.empty() ? 0 : preemptions.back().first + 1;
    for (const auto& alternative : strategy.alternatives()) {
      if (alternative.step < after) continue;
      Preemptions child = preemptions;
      child.emplace_back(alternative.step, alternative.thread);
      queue.push_back(std::move(child));
    }
  }
  result.complete = queue.empty();
  return result;
}

}  // namespace dcfuzz
