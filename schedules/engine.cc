// The engine: Relacy driven by our scheduler, one long-lived context per
// thread count, each on its own stack (see engine.h).
#include "schedules/engine.h"

#include <ucontext.h>

#include <cstdlib>
#include <limits>

#include "core/events.h"
// clang-format off
#include "schedules/engine_relacy.h"  // last: it brings in Relacy
// clang-format on

namespace dcfuzz {
namespace engine_detail {

RunState* g_run = nullptr;

const char* relacy_title(rl::test_result_e result) {
  switch (result) {
    case rl::test_result_deadlock:
      return "INFO: task hung: every task blocked (engine deadlock)";
    case rl::test_result_livelock:
      return "INFO: task livelock: execution exceeded its step budget";
    case rl::test_result_data_race:
      return "KCSAN: data-race in the model";
    case rl::test_result_access_to_freed_memory:
      return "KASAN: use-after-free in the model";
    case rl::test_result_double_free:
      return "KASAN: double-free or invalid-free in the model";
    case rl::test_result_unlocking_mutex_wo_ownership:
      return kBadUnlockBalanceTitle;
    case rl::test_result_unitialized_access:
      return "BUG: uninitialised read in the model";
    case rl::test_result_memory_leak:
    case rl::test_result_resource_leak:
      return "BUG: memory leak in the model";
    default:
      return "BUG: engine check failed";
  }
}

FindingKind relacy_kind(rl::test_result_e result) {
  switch (result) {
    case rl::test_result_deadlock:
      return FindingKind::hung_task;
    case rl::test_result_unlocking_mutex_wo_ownership:
      return FindingKind::bad_unlock_balance;
    default:
      return FindingKind::other;
  }
}

}  // namespace engine_detail

namespace {

using namespace engine_detail;

// One Relacy context, parked between executions on its own stack.
struct ContextSlot {
  ucontext_t driver;
  ucontext_t host;
  char* stack = nullptr;
  bool alive = false;             // a context exists (parked or running)
  rl::context* parked = nullptr;  // its instance while the driver runs
  rl::test_params* params = nullptr;
  rl::test_result_e result = rl::test_result_success;
};

constexpr size_t kHostStackSize = 8u << 20;
ContextSlot g_slots[kMaxThreads];
ContextSlot* g_active = nullptr;

// Called by the scheduler at the end of every successful iteration, on the
// context's stack: hand control back to run_program() until the next one.
bool park_between_executions() {
  ContextSlot& slot = *g_active;
  slot.parked = rl::context_holder<>::instance_;
  rl::context_holder<>::instance_ = nullptr;  // driver allocations are plain malloc
  swapcontext(&slot.host, &slot.driver);
  rl::context_holder<>::instance_ = slot.parked;
  slot.parked = nullptr;
  return false;  // never stop: the context lives as long as the process
}

template <rl::thread_id_t N>
class ObedientScheduler : public rl::scheduler<ObedientScheduler<N>, rl::scheduler_thread_info, N> {
  using base_t = rl::scheduler<ObedientScheduler<N>, rl::scheduler_thread_info, N>;

 public:
  using shared_context_t = typename base_t::shared_context_t;
  struct task_t {};

  ObedientScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic)
      : base_t(params, ctx, dynamic) {}

  rl::thread_id_t iteration_begin_impl() {
    g_run->begin_iteration();
    rl::unpark_reason reason;
    return schedule_impl(reason, 0);
  }
  bool iteration_end_impl() { return park_between_executions(); }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned yield) {
    reason = rl::unpark_reason_normal;
    int runnable[N];
    int count = 0;
    for (rl::thread_id_t i = 0; i != N; ++i) {
      if (this->threads_[i].state_ == rl::thread_state_running) runnable[count++] = int(i);
    }
    return rl::thread_id_t(g_run->decide(runnable, count, yield != 0));
  }

  unsigned rand_impl(unsigned limit, rl::sched_type type) {
    return g_run->choose(limit, value_offset(type));
  }

  rl::iteration_t iteration_count_impl() {
    return std::numeric_limits<rl::iteration_t>::max() / 256;
  }
  void get_state_impl(std::ostream&) {}
  void set_state_impl(std::istream&) {}
  void on_thread_block(rl::thread_id_t, bool) {}
};

template <rl::thread_id_t N>
void host_main() {
  QuietTest test(g_run->options().max_steps);
  rl::test_params& params = test.params;
  g_active->params = &params;
  test.run<Suite<N>, ObedientScheduler<N>>();
  // Only a failed iteration ends the context's loop.
  g_active->result = params.test_result;
  g_active->params = nullptr;
  g_active->alive = false;
}

using HostMain = void (*)();
constexpr HostMain kHostMains[kMaxThreads] = {host_main<1>, host_main<2>, host_main<3>,
                                              host_main<4>};

void resume(ContextSlot& slot, int threads) {
  if (!slot.alive) {
    if (!slot.stack) slot.stack = static_cast<char*>((::malloc)(kHostStackSize));
    getcontext(&slot.host);
    slot.host.uc_stack.ss_sp = slot.stack;
    slot.host.uc_stack.ss_size = kHostStackSize;
    slot.host.uc_link = &slot.driver;
    makecontext(&slot.host, kHostMains[threads - 1], 0);
    slot.alive = true;
  } else {
    slot.params->execution_depth_limit = g_run->options().max_steps;
  }
  swapcontext(&slot.driver, &slot.host);
}

}  // namespace

Execution run_program(Program& program, Strategy& strategy, const RunOptions& options) {
  const int threads = program.thread_count();
  if (threads < 1 || threads > kMaxThreads) std::abort();
  Execution exec;
  RunState state(program, strategy, options, exec);
  strategy.begin(threads);
  g_run = &state;
  ContextSlot& slot = g_slots[threads - 1];
  g_active = &slot;
  resume(slot, threads);
  if (!slot.alive && !exec.found) {
    exec.found = true;
    exec.title = relacy_title(slot.result);
    exec.kind = relacy_kind(slot.result);
  }
  exec.steps = state.steps();
  exec.random_calls = state.random_calls();
  for (int t = 0; t < threads; ++t) exec.allocs[t] = state.allocs_of(t);
  g_run = nullptr;
  g_active = nullptr;
  return exec;
}

}  // namespace dcfuzz
