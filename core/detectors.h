// Detectors: each turns a broken rule into a finding with a stable one-line
// title (the bucket, in kernel words) and details that name every object by
// path and show every task's program, state and held locks.
#pragma once

#include "core/dcache.h"

namespace dcfuzz::model {

// Finding text is built in a fixed buffer: during an execution the heap is
// Relacy's, and std::string's out-of-line code would mix the two heaps.
class Text {
 public:
  Text& add(const char* format, ...) __attribute__((format(printf, 2, 3)));
  const char* str() const { return buf_; }

 private:
  char buf_[6144] = {};
  size_t len_ = 0;
};

// Reports and ends the execution.
[[noreturn]] void report_finding(const char* title, const Text& details);
// "BUG: dcache invariant: <rule>", about dentry `d` (may be null).
[[noreturn]] void invariant_violation(const char* rule, const dentry* d, const char* function);
// Every task: program, op, state, held locks.
void describe_tasks(Text& out);

// Hung task: called when the current task is about to sleep, and when a task
// exits; reports when no live task can run any more.
void check_hang(bool current_sleeps);

// Lost wakeup: PAR_LOOKUP cleared on `d` (remember its waiters), and the end
// of the d_lock section of `d` (those waiters must have been woken).
void note_lookup_end(dentry* d, const char* function);
void check_lookup_end_woke(dentry* d);

// Lock order (rule 7) before acquiring `lock`; release of a lock not held
// (rule 8) -> "WARNING: bad unlock balance detected!".
void check_lock_order(const LockMeta& lock, const char* function);
void check_unlock_balance(const LockMeta& lock, bool shared, const char* function,
                          const char* what);

// The in-lookup rules over the whole cache (run at every scheduling decision).
void check_invariants();

}  // namespace dcfuzz::model
