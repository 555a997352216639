// What the engine runs, and what it offers back.
//
// A Program is a concurrent test with a fixed number of threads. The engine
// (schedules/engine.h) runs it on Relacy fibers under a schedule: before(),
// then thread(0..n-1) interleaved as the schedule decides, invariant() at
// every scheduling decision, after() once all threads finished. The model of
// the dcache (core/model.h) is one Program; the engine's tests use small ones.
//
// Everything a Program allocates between before() and after() is tracked by
// Relacy (leaks and use-after-free are findings), so per-execution state must
// be created in before() and freed in after(). Memory the Program got from
// outside an execution (its Scenario, say) is read-only inside one: growing or
// freeing it there hands Relacy a block it never allocated (a double-free
// finding).
#pragma once

#include <cstdint>

#include "core/events.h"

namespace dcfuzz {

// One model-level event, for the report's interleaving table and for the
// fuzzer's interleaving coverage. `function` and `what` are string literals
// (a listener may remember them by address); `object_name` is valid during
// the call only.
struct Event {
  EventKind kind;
  int thread;               // 0-based; reports print T1..Tn
  const char* function;     // the model function it happens in (for a primitive such as
                            // spin_lock: its caller), by its kernel name
  const char* what;         // e.g. "lock", "unlock", "wait", "wake", "clear PAR_LOOKUP"
  uint32_t object;          // stable id of the object (never an address)
  const char* object_name;  // e.g. "d_lock of dentry /d"; only filled while tracing
};

// One task as a finding left it, for the report's call traces (only while
// tracing). The strings are valid during the call only; `frame` and the
// `*_function`, `*_what`, `*_kind` ones are string literals.
struct TaskSnapshot {
  static constexpr int kMaxFrames = 24;
  static constexpr int kMaxHeld = 8;
  struct Held {
    char object[96];   // e.g. "i_rwsem of /"
    const char* kind;  // "i_rwsem", "d_lock", "s_vfs_rename_mutex", "rename_lock", "bucket"
    bool shared;
    const char* function;  // the model function that took it
  };
  int thread = 0;                      // 0-based
  int op = -1;                         // index of the op it runs in its program, -1: none yet
  const char* state = "";              // "running", "blocked", "finished"
  const char* frame[kMaxFrames] = {};  // the model's call chain, outermost first
  int nframes = 0;
  // When blocked: where and on what it sleeps.
  const char* wait_function = nullptr;
  const char* wait_what = nullptr;  // "inode_lock_shared", "wait_var_event", "spin_lock", ...
  char wait_object[96] = {};
  const char* wait_kind = "";  // the lock's kind (on_lock), as Held::kind
  bool wait_on_lock = false;
  bool wait_shared = false;
  int wait_lookup_owner = -1;  // waits for an in-lookup dentry: the task that owns it
  char wait_lookup_dentry[96] = {};
  uint32_t blocked_at = 0;  // order of falling asleep
  Held held[kMaxHeld] = {};
  int nheld = 0;
};

// A detector fired.
struct Finding {
  FindingKind kind = FindingKind::other;
  const char* title = "";          // the bucket: one line, stable across schedules of one bug
  const char* details = "";        // several lines: threads, their states and held locks
  int thread = -1;                 // 0-based: the task it is about (the releasing one, the
                                   // first sleeper, the waiter not woken), or -1
  const char* function = nullptr;  // where: the function that ended the lookup (lost
                                   // wakeup), that sleeps (hang), that unlocks; or null
  const char* file = nullptr;      // a kernel check's: the kernel source file of `function`
};

// Services of the engine to a running Program.
class Host {
 public:
  virtual ~Host() = default;
  // Consulted once per model allocation (kmalloc) of thread `thread`;
  // true means this allocation fails (-ENOMEM).
  virtual bool should_fail_alloc(int thread) = 0;
  // True while a report is being produced: events need object names.
  virtual bool tracing() const = 0;
  // The current scheduling decision index (the step numbers of preemptions).
  virtual uint32_t step() const = 0;
  virtual void on_event(const Event& event) = 0;
  // A detector fired. The Program then stops the execution through
  // fail_execution().
  virtual void on_finding(const Finding& finding) = 0;
  // Before on_finding, while tracing: each task's state, in task order.
  virtual void on_task(const TaskSnapshot& task) { (void)task; }
  // Ends the current execution as failed (after on_finding); never returns.
  [[noreturn]] virtual void fail_execution(const char* title) = 0;
};

class Program {
 public:
  virtual ~Program() = default;
  virtual int thread_count() const = 0;
  virtual void before(Host& host) = 0;
  virtual void thread(int index) = 0;
  virtual void invariant() = 0;
  virtual void after() = 0;
};

}  // namespace dcfuzz
