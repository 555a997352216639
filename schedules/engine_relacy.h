// Engine internals shared by its two Relacy drivers: engine.cc (our scheduler,
// obeying a Strategy) and relacy_search.cc (Relacy's own tree searches, each
// decision told back to the recorder). Not a public header: it brings in
// Relacy, which #defines new, delete, malloc, free and assert -- include it
// last, and only in those two files.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <streambuf>

#include "schedules/engine.h"
#include "schedules/recorder.h"

// Relacy last (it #defines new, delete, malloc, free); off for clang-format,
// which would sort it among the standard headers above.
// clang-format off
#include <relacy/relacy.hpp>
// clang-format on

namespace dcfuzz::engine_detail {

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

// Relacy's test parameters with its output swallowed and the step budget of
// the run in progress; run() runs a test under a scheduler with them.
struct QuietTest {
  NullBuffer buffer;
  std::ostream stream{&buffer};
  rl::test_params params;
  explicit QuietTest(uint32_t max_steps) {
    params.output_stream = &stream;
    params.progress_stream = &stream;
    params.execution_depth_limit = max_steps;
  }
  template <typename Test, typename Scheduler>
  void run() {
    rl::run_test<Test, Scheduler>(params, stream, false);
  }
};

// Maps our default value (0) onto the benign Relacy value for choices where
// Relacy's 0 is not benign (0 means "fail spuriously" for a CAS).
inline unsigned value_offset(rl::sched_type type) {
  return type == rl::sched_type_cas_fail ? 1 : 0;
}

// Everything about the execution in progress: asks the strategy, or is told
// what Relacy's own scheduler chose, and records either way.
class RunState final : public Host {
 public:
  RunState(Program& program, Strategy& strategy, const RunOptions& options, Execution& exec)
      : program_(program), strategy_(strategy), options_(options), exec_(exec) {
    recorder_.begin(&exec.recorded);
  }

  Program& program() { return program_; }
  const RunOptions& options() const { return options_; }
  uint32_t steps() const { return step_; }
  uint32_t allocs_of(int thread) const { return allocs_of_[thread]; }
  uint32_t random_calls() const { return rand_calls_; }

  void begin_iteration() {
    current_ = -1;
    step_ = 0;
    rand_calls_ = 0;
    allocs_ = 0;
    for (auto& n : allocs_of_) n = 0;
  }

  // A search runs many iterations in one execution record: each starts a new
  // recording (only the failing iteration's decisions matter).
  void restart_iteration() {
    DriverAllocScope scope;
    begin_iteration();
    recorder_.begin(&exec_.recorded);
    exec_.found = false;
    exec_.kind = FindingKind::none;
    exec_.title.clear();
    exec_.details.clear();
    exec_.thread = -1;
    exec_.function.clear();
    exec_.file.clear();
    exec_.trace.clear();
    exec_.tasks.clear();
    strategy_.begin(program_.thread_count());
  }

  // The strategy picks among `runnable` (sorted).
  int decide(const int* runnable, int count, bool yielded) {
    DriverAllocScope scope;
    Decision decision{step_,    current_, yielded,
                      runnable, count,    fallback(runnable, count, yielded)};
    int pick = strategy_.pick_thread(decision);
    bool valid = false;
    for (int i = 0; i < count; ++i) valid = valid || runnable[i] == pick;
    take(valid ? pick : decision.fallback, decision.fallback);
    return current_;
  }

  // Relacy picked `pick` among `runnable` (sorted; what our scheduler would
  // see there): recorded as decide() would have recorded it.
  void took(const int* runnable, int count, bool yielded, int pick) {
    DriverAllocScope scope;
    take(pick, fallback(runnable, count, yielded));
  }

  // The strategy's value for the next random choice, in [0, limit).
  unsigned choose(unsigned limit, unsigned offset) {
    DriverAllocScope scope;
    uint32_t call = rand_calls_++;
    uint32_t value = strategy_.pick_value(call, limit) % limit;
    if (value != 0) recorder_.choice(call, value);
    return (value + offset) % limit;
  }

  // Relacy chose `relacy_value` for the next random choice: recorded as the
  // value for which choose() returns it.
  void chose(unsigned limit, unsigned offset, unsigned relacy_value) {
    DriverAllocScope scope;
    uint32_t call = rand_calls_++;
    uint32_t value = (relacy_value + limit - offset % limit) % limit;
    if (value != 0) recorder_.choice(call, value);
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
                                       event.object_name ? event.object_name : "", event.kind});
    }
  }
  void on_task(const TaskSnapshot& t) override {
    DriverAllocScope scope;
    TaskAtFinding out;
    out.thread = t.thread;
    out.op = t.op;
    out.state = t.state;
    out.frames.assign(t.frame, t.frame + t.nframes);
    auto str = [](const char* s) { return std::string(s ? s : ""); };
    out.wait_function = str(t.wait_function);
    out.wait_what = str(t.wait_what);
    out.wait_object = t.wait_object;
    out.wait_kind = str(t.wait_kind);
    out.wait_lookup_dentry = t.wait_lookup_dentry;
    out.wait_on_lock = t.wait_on_lock;
    out.wait_shared = t.wait_shared;
    out.wait_lookup_owner = t.wait_lookup_owner;
    out.blocked_at = t.blocked_at;
    for (int i = 0; i < t.nheld; ++i) {
      const TaskSnapshot::Held& h = t.held[i];
      out.held.push_back({h.object, str(h.kind), str(h.function), h.shared});
    }
    exec_.tasks.push_back(std::move(out));
  }
  void on_finding(const Finding& finding) override {
    DriverAllocScope scope;
    exec_.found = true;
    exec_.kind = finding.kind;
    exec_.title = finding.title;
    exec_.details = finding.details;
    exec_.thread = finding.thread;
    exec_.function = finding.function ? finding.function : "";
    exec_.file = finding.file ? finding.file : "";
  }
  [[noreturn]] void fail_execution(const char* title) override {
    rl::ctx().fail_test(title, rl::test_result_user_assert_failed, RL_INFO);
    std::abort();  // unreachable: fail_test leaves the fiber for good
  }

 private:
  // The default policy: the current thread goes on until it blocks, ends or
  // yields (a yield passes the turn on, cyclically); else the lowest runnable.
  int fallback(const int* runnable, int count, bool yielded) const {
    bool current_runnable = false;
    int after_current = -1;
    for (int i = 0; i < count; ++i) {
      if (runnable[i] == current_) current_runnable = true;
      if (runnable[i] > current_ && after_current < 0) after_current = runnable[i];
    }
    if (current_runnable && !yielded) return current_;
    if (current_runnable && after_current >= 0) return after_current;
    return runnable[0];
  }
  void take(int pick, int fallback) {
    if (pick != fallback) recorder_.preemption(step_, pick);
    ++step_;
    current_ = pick;
  }

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

// The execution in progress (one at a time per process).
extern RunState* g_run;

template <rl::thread_id_t N>
struct Suite : rl::test_suite<Suite<N>, N> {
  void before() { g_run->program().before(*g_run); }
  void thread(unsigned index) { g_run->program().thread(int(index)); }
  void invariant() { g_run->program().invariant(); }
  void after() { g_run->program().after(); }
};

// The report title and kind of a finding Relacy itself made.
const char* relacy_title(rl::test_result_e result);
FindingKind relacy_kind(rl::test_result_e result);

}  // namespace dcfuzz::engine_detail
