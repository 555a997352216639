// Relacy's own schedulers over a program, each in a fresh context on the
// caller's stack: the tree searches of relacy_search.h, and Relacy's random
// scheduler as a benchmark baseline (engine.h).
#include "schedules/relacy_search.h"

#include <cstdlib>

#include "schedules/replay.h"
#include "schedules/engine_relacy.h"  // last: it brings in Relacy

namespace dcfuzz {
namespace {

using namespace engine_detail;

// The search in progress (one at a time per process).
struct SearchState {
  uint64_t executions = 0;
  bool complete = false;
};
SearchState* g_search = nullptr;

// Relacy's tree search with the policy of its context_bound_scheduler
// (kBounded) or of its full_search_scheduler, which tells the RunState every
// thread it picks and every value it chooses.
template <rl::thread_id_t N, bool kBounded>
class RecordingTreeSearch
    : public rl::tree_search_scheduler<RecordingTreeSearch<N, kBounded>,
                                       rl::context_bound_scheduler_thread_info<N>, N> {
  using base_t = rl::tree_search_scheduler<RecordingTreeSearch<N, kBounded>,
                                           rl::context_bound_scheduler_thread_info<N>, N>;

 public:
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;

  RecordingTreeSearch(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic)
      : base_t(params, ctx, dynamic) {}

  rl::thread_id_t iteration_begin_impl() {
    ++g_search->executions;
    g_run->restart_iteration();
    switches_remain_ = this->params_.context_bound;
    int runnable[N];
    int count = replay_runnable(runnable);
    rl::thread_id_t th = base_t::iteration_begin_impl();
    g_run->took(runnable, count, false, int(th));
    return th;
  }

  // Called after every clean iteration (a failed one ends run_test first,
  // with params.test_result and stop_iteration, the 1-based iteration, set);
  // true ends the search. The context loop has no iteration limit of its own
  // (params.iteration_count is what Relacy's random scheduler stops at), so
  // the cap is applied here, to the executions counted at iteration begin.
  bool iteration_end_impl() {
    if (base_t::iteration_end_impl()) {
      g_search->complete = true;
      return true;
    }
    return g_search->executions >= this->params_.iteration_count;
  }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned yield) {
    // Relacy would explore timed and spurious wake-ups here; our scheduler
    // cannot replay them, and nothing the engine runs waits that way.
    if (this->timed_thread_count_ || this->spurious_thread_count_) std::abort();
    int runnable[N];
    int count = replay_runnable(runnable);
    rl::thread_id_t th = base_t::schedule_impl(reason, yield);
    g_run->took(runnable, count, yield != 0, int(th));
    return th;
  }

  unsigned rand_impl(unsigned limit, rl::sched_type type) {
    if (type == rl::sched_type_sched) return base_t::rand_impl(limit, type);  // told above
    if (type == rl::sched_type_mem_realloc) return g_run->choose(limit, 0);   // from base
    unsigned value = base_t::rand_impl(limit, type);
    g_run->chose(limit, value_offset(type), value);
    return value;
  }

  // context_bound_scheduler's policy; the full search may always switch.
  bool can_switch(thread_info_t& t) {
    t.sched_count_ += 1;
    return !kBounded || switches_remain_ != 0;
  }
  void on_switch(thread_info_t& t) {
    if (!kBounded) return;
    if (t.state_ == rl::thread_state_running) {
      switches_remain_ -= 1;
    } else {
      t.forced_context_switch_count_ += 1;
    }
  }
  double iteration_count_approx() { return 1.0; }  // progress output only

 private:
  // The threads our scheduler would see as runnable here, in order: those
  // Relacy runs, and those it holds back only because another thread yielded
  // to them (every such hold is one block count and one nonzero priority).
  int replay_runnable(int* runnable) {
    int count = 0;
    for (rl::thread_id_t i = 0; i != N; ++i) {
      const thread_info_t& t = this->threads_[i];
      if (t.state_ == rl::thread_state_finished) continue;
      unsigned held_for_yield = 0;
      for (rl::thread_id_t y = 0; y != N; ++y) {
        held_for_yield += this->threads_[y].yield_priority_[i] != 0;
      }
      if (t.block_count_ == held_for_yield) runnable[count++] = int(i);
    }
    return count;
  }

  unsigned switches_remain_ = 0;
};

template <rl::thread_id_t N, bool kBounded>
rl::test_result_e tree_search(int bound, uint64_t max_executions) {
  QuietTest test(g_run->options().max_steps);
  test.params.context_bound = unsigned(bound);
  test.params.iteration_count = max_executions;
  // The context behaves as under our scheduler (search_type stays random:
  // which stores a load may read, CAS and free alternatives), so that what
  // the search finds replays.
  test.run<Suite<N>, RecordingTreeSearch<N, kBounded>>();
  return test.params.test_result;
}

using TreeSearch = rl::test_result_e (*)(int, uint64_t);
constexpr TreeSearch kContextBound[kMaxThreads] = {tree_search<1, true>, tree_search<2, true>,
                                                   tree_search<3, true>, tree_search<4, true>};
constexpr TreeSearch kFull[kMaxThreads] = {tree_search<1, false>, tree_search<2, false>,
                                           tree_search<3, false>, tree_search<4, false>};

// For run_program_relacy_random: no faults, no preemption choices of ours.
class NoStrategy final : public Strategy {
 public:
  const char* name() const override { return "relacy-random"; }
  void begin(int) override {}
  int pick_thread(const Decision& decision) override { return decision.fallback; }
  uint32_t pick_value(uint32_t, uint32_t) override { return 0; }
  bool fail_alloc(int, uint32_t, uint32_t) override { return false; }
};

template <rl::thread_id_t N>
uint64_t relacy_random(uint64_t iterations) {
  QuietTest test(g_run->options().max_steps);
  test.params.iteration_count = iterations;
  test.run<Suite<N>, rl::random_scheduler<N>>();
  return test.params.stop_iteration;
}

using RelacyRandom = uint64_t (*)(uint64_t);
constexpr RelacyRandom kRelacyRandom[kMaxThreads] = {relacy_random<1>, relacy_random<2>,
                                                     relacy_random<3>, relacy_random<4>};

}  // namespace

SearchResult relacy_search(Program& program, const pb::Schedule& base, SearchKind kind, int bound,
                           uint64_t max_executions) {
  const int threads = program.thread_count();
  if (threads < 1 || threads > kMaxThreads || bound < 0 || max_executions < 1) std::abort();
  SearchResult result;
  ReplayStrategy from_base(base);
  RunOptions options;
  RunState state(program, from_base, options, result.execution);
  SearchState search;
  g_run = &state;
  g_search = &search;
  TreeSearch run = (kind == SearchKind::full ? kFull : kContextBound)[threads - 1];
  rl::test_result_e outcome = run(bound, max_executions);
  g_run = nullptr;
  g_search = nullptr;
  result.executions = search.executions;
  result.found = outcome != rl::test_result_success;
  result.complete = search.complete && !result.found;
  if (!result.found) {
    result.execution = Execution();  // the last clean iteration's record means nothing
    return result;
  }
  if (!result.execution.found) {
    result.execution.found = true;
    result.execution.title = relacy_title(outcome);
    result.execution.kind = relacy_kind(outcome);
  }
  result.execution.steps = state.steps();
  return result;
}

SearchResult relacy_search_iterative(Program& program, const pb::Schedule& base, int max_bound,
                                     uint64_t max_executions) {
  uint64_t executions = 0;
  for (int bound = 0;; ++bound) {
    SearchResult round =
        relacy_search(program, base, SearchKind::context_bound, bound, max_executions - executions);
    executions += round.executions;
    round.executions = executions;
    if (round.found || !round.complete || bound == max_bound) return round;
    if (executions >= max_executions) {
      round.complete = false;  // complete at `bound`, with no budget left for the next
      return round;
    }
  }
}

uint64_t run_program_relacy_random(Program& program, uint64_t iterations) {
  const int threads = program.thread_count();
  if (threads < 1 || threads > kMaxThreads) std::abort();
  Execution exec;
  NoStrategy strategy;
  RunOptions options;
  RunState state(program, strategy, options, exec);
  g_run = &state;
  uint64_t ran = kRelacyRandom[threads - 1](iterations);
  g_run = nullptr;
  return ran;
}

}  // namespace dcfuzz
