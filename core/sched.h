// Tasks: the model's task_struct table, one task per model thread. A task
// knows what it waits for and which locks it holds (a lockdep-like record),
// so that hangs and lock imbalance are reported in kernel words. Sleeping is
// real: a waiting task parks its Relacy fiber until another task wakes it.
#pragma once

#include <cstdint>

#include "core/names.h"

namespace dcfuzz::model {

constexpr int kMaxTasks = 4;
constexpr int kMaxHeld = 12;  // __d_unalias under lookup_slow, rename over a directory: 9
constexpr int kMaxFrames = 24;

struct LockMeta;
struct rw_semaphore;

struct HeldLock {
  const LockMeta* lock = nullptr;
  bool shared = false;
  const char* function = nullptr;  // the function that called the lock primitive
  uint8_t subclass = 0;            // lockdep subclass (spin_lock_nested)
  bool spin = false;               // a spinlock: the task is atomic while it holds it
};

enum class TaskState : uint8_t { running, blocked, finished };

// Where and on what a task sleeps.
struct WaitSite {
  const char* function = nullptr;  // the sleeping function: "d_wait_lookup", "lookup_slow"
  const char* what = nullptr;      // e.g. "wait_var_event", "inode_lock_shared"
  ObjRef object;
  bool on_lock = false;               // a lock (else a condition: a lookup to end)
  const dentry* lookup_of = nullptr;  // sleeps until this dentry leaves lookup
  const LockMeta* lock = nullptr;     // the lock it waits for (on_lock)
  bool shared = false;                // ... in shared mode
  const rw_semaphore* sem = nullptr;  // the rw_semaphore it queues on, if that is the lock
};

struct Task {
  int index = 0;
  TaskState state = TaskState::running;
  bool parked = false;  // its fiber sleeps in Relacy (state is blocked)
  WaitSite wait;
  uint32_t blocked_at = 0;  // order of falling asleep
  HeldLock held[kMaxHeld];
  int nheld = 0;
  int preempt_off = 0;    // preempt_disable() depth (start_dir_add .. end_dir_add)
  int op = -1;            // the op it runs
  uint32_t op_begin = 0;  // the step its op began at (the coherence check's nfs rule)
  // The model's call chain, outermost first: the functions that entered
  // with CALL_FRAME() and have not returned (names only, string literals).
  const char* frame[kMaxFrames] = {};
  int nframes = 0;  // may exceed kMaxFrames; only the first kMaxFrames are kept
};

// A small FIFO of task indices (lock and wait-queue waiters).
struct WaitList {
  int8_t task[kMaxTasks] = {};
  int count = 0;
  void push(int t);
  int pop();  // first, or -1
  bool contains(int t) const;
  void remove(int t);
};

Task& current();

// One entry of the current task's call chain, for the call traces of a
// report; popped when the function returns. Costs a store and an increment.
class CallFrame {
 public:
  explicit CallFrame(const char* function) : task_(current()) {
    if (task_.nframes < kMaxFrames) task_.frame[task_.nframes] = function;
    ++task_.nframes;
  }
  ~CallFrame() { --task_.nframes; }

 private:
  Task& task_;
};

// At the top of a model function that a call trace should show: the
// function is on the task's call chain until it returns.
#define CALL_FRAME() const ::dcfuzz::model::CallFrame call_frame_(__func__)
// set_current_state(TASK_UNINTERRUPTIBLE): from now on a wake-up counts.
void prepare_to_wait(const WaitSite& site);
// schedule(): sleeps unless woken since prepare_to_wait. Before sleeping, a
// task that would leave every live task asleep reports the hang.
void schedule_wait();
// wake_up_process(): no effect on a task that is not waiting.
void wake_task(int index);
// The calling thread's program ended.
void task_exit();

}  // namespace dcfuzz::model
