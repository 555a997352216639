// The engine: Relacy driven by our scheduler, one long-lived context per
// thread count, each on its own stack (see engine.h).
#include "schedules/engine.h"

#include <ucontext.h>

#include <cstdlib>
#include <limits>
#include <ostream>
#include <streambuf>

#include "schedules/recorder.h"

#include <relacy/relacy.hpp>  // last: it #defines new, delete, malloc, free

namespace dcfuzz {
namespace {

// Relacy routes every allocation made while a context exists through the
// context's tracked heap, unless its (protected) disable_alloc_ counter is set.
struct ContextAccess : rl::context {
  static int& disable_alloc(rl::context& c) { return c.*(&ContextAccess::disable_alloc_); }
};

// Memory allocated in this scope is the driver's (plain malloc), not the
// execution's: for results that outlive the execution.
class DriverAllocScope {
 public:
  DriverAllocScope() : ctx_(rl::is_ctx() ? &rl::ctx() : nullptr) {
    if (ctx_) ++ContextAccess::disable_alloc(*ctx_);
  }
  ~DriverAllocScope() {
    if (ctx_) --ContextAccess::disable_alloc(*ctx_);
  }

 private:
  rl::context* ctx_;
};

// A stream that swallows everything without allocating (Relacy's progress
// and state output).
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

// Everything about the execution in progress.
class RunState final : public Host {
 public:
  RunState(Program& program, Strategy& strategy, const RunOptions& options, Execution& exec)
      : program_(program), strategy_(strategy), options_(options), exec_(exec) {
    recorder_.begin(&exec.recorded);
  }

  Program& program() { return program_; }
  const RunOptions& options() const { return options_; }
  Execution& execution() { return exec_; }
  uint32_t steps() const { return step_; }

  void begin_iteration() {
    current_ = -1;
    step_ = 0;
    rand_calls_ = 0;
    allocs_ = 0;
    for (auto& n : allocs_of_) n = 0;
  }

  int decide(const int* runnable, int count, bool yielded) {
    DriverAllocScope scope;
    bool current_runnable = false;
    int after_current = -1;
    for (int i = 0; i < count; ++i) {
      if (runnable[i] == current_) current_runnable = true;
      if (runnable[i] > current_ && after_current < 0) after_current = runnable[i];
    }
    int fallback = runnable[0];  // the lowest runnable thread goes on
    if (current_runnable && !yielded) {
      fallback = current_;  // run until it blocks or ends
    } else if (current_runnable && after_current >= 0) {
      fallback = after_current;  // a yield passes the turn on, cyclically
    }
    Decision decision{step_, current_, yielded, runnable, count, fallback};
    int pick = strategy_.pick_thread(decision);
    bool valid = false;
    for (int i = 0; i < count; ++i) valid = valid || runnable[i] == pick;
    if (!valid) pick = fallback;
    if (pick != fallback) recorder_.preemption(step_, pick);
    ++step_;
    current_ = pick;
    return pick;
  }

  // `offset` maps our default (0) onto the benign value for choices where
  // Relacy's 0 is not benign (0 means "fail spuriously" for a CAS).
  unsigned choose(unsigned limit, unsigned offset) {
    DriverAllocScope scope;
    uint32_t call = rand_calls_++;
    uint32_t value = strategy_.pick_value(call, limit) % limit;
    if (value != 0) recorder_.choice(call, value);
    return (value + offset) % limit;
  }

  // Host
  bool should_fail_alloc(int thread) override {
    DriverAllocScope scope;
    uint32_t nth_of_thread = ++allocs_of_[thread];
    bool fail = strategy_.fail_alloc(thread, nth_of_thread, ++allocs_);
    if (fail) recorder_.fault(thread, nth_of_thread);
    return fail;
  }
  bool tracing() const override { return options_.trace; }
  uint32_t step() const override { return step_; }
  void on_event(const Event& event) override {
    DriverAllocScope scope;
    if (options_.listener) options_.listener->on_event(event);
    if (options_.trace) {
      exec_.trace.push_back(TraceEvent{step_, event.thread, event.function, event.what,
                                       event.object_name ? event.object_name : ""});
    }
  }
  void on_finding(const char* title, const char* details) override {
    DriverAllocScope scope;
    exec_.found = true;
    exec_.title = title;
    exec_.details = details;
  }

 private:
  Program& program_;
  Strategy& strategy_;
  const RunOptions& options_;
  Execution& exec_;
  Recorder recorder_;
  int current_ = -1;
  uint32_t step_ = 0;
  uint32_t rand_calls_ = 0;
  uint32_t allocs_ = 0;
  uint32_t allocs_of_[kMaxThreads] = {};
};

RunState* g_run = nullptr;

// One Relacy context, parked between executions on its own stack.
struct ContextSlot {
  ucontext_t driver;
  ucontext_t host;
  char* stack = nullptr;
  bool alive = false;           // a context exists (parked or running)
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
class ObedientScheduler
    : public rl::scheduler<ObedientScheduler<N>, rl::scheduler_thread_info, N> {
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
    return g_run->choose(limit, type == rl::sched_type_cas_fail ? 1 : 0);
  }

  rl::iteration_t iteration_count_impl() {
    return std::numeric_limits<rl::iteration_t>::max() / 256;
  }
  void get_state_impl(std::ostream&) {}
  void set_state_impl(std::istream&) {}
  void on_thread_block(rl::thread_id_t, bool) {}
};

template <rl::thread_id_t N>
struct Suite : rl::test_suite<Suite<N>, N> {
  void before() { g_run->program().before(*g_run); }
  void thread(unsigned index) { g_run->program().thread(int(index)); }
  void invariant() { g_run->program().invariant(); }
  void after() { g_run->program().after(); }
};

template <rl::thread_id_t N>
void host_main() {
  NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  rl::test_params params;
  params.output_stream = &null_stream;
  params.progress_stream = &null_stream;
  params.execution_depth_limit = g_run->options().max_steps;
  g_active->params = &params;
  rl::run_test<Suite<N>, ObedientScheduler<N>>(params, null_stream, false);
  // Only a failed iteration ends the context's loop.
  g_active->result = params.test_result;
  g_active->params = nullptr;
  g_active->alive = false;
}

using HostMain = void (*)();
constexpr HostMain kHostMains[kMaxThreads] = {host_main<1>, host_main<2>, host_main<3>,
                                              host_main<4>};

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
      return "WARNING: bad unlock balance detected!";
    case rl::test_result_unitialized_access:
      return "BUG: uninitialised read in the model";
    case rl::test_result_memory_leak:
    case rl::test_result_resource_leak:
      return "BUG: memory leak in the model";
    default:
      return "BUG: engine check failed";
  }
}

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
  NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  rl::test_params params;
  params.iteration_count = iterations;
  params.output_stream = &null_stream;
  params.progress_stream = &null_stream;
  params.execution_depth_limit = g_run->options().max_steps;
  rl::run_test<Suite<N>, rl::random_scheduler<N>>(params, null_stream, false);
  return params.stop_iteration;
}

using RelacyRandom = uint64_t (*)(uint64_t);
constexpr RelacyRandom kRelacyRandom[kMaxThreads] = {relacy_random<1>, relacy_random<2>,
                                                     relacy_random<3>, relacy_random<4>};

}  // namespace

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

[[noreturn]] void fail_execution(const char* title) {
  rl::ctx().fail_test(title, rl::test_result_user_assert_failed, RL_INFO);
  std::abort();  // unreachable: fail_test leaves the fiber for good
}

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
  }
  exec.steps = state.steps();
  g_run = nullptr;
  g_active = nullptr;
  return exec;
}

}  // namespace dcfuzz
