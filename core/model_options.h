// Switches of the dcache model for tests; the defaults are what the fuzzer
// and the CLI run.
#pragma once

namespace dcfuzz {

struct ModelOptions {
  // The immediate lost-wakeup detector. Off, a wrong waiter shows as the
  // hang it becomes ("INFO: task hung in d_wait_lookup").
  bool lost_wakeup_detector = true;
  // Self-test of the lock-order detector: d_alloc takes an in-lookup bucket
  // lock around the parent's d_lock (bucket -> d_lock, against rule 7).
  bool selftest_lock_inversion = false;
  // Self-test of lockdep's d_lock checks: walk_components locks the d_lock
  // of each directory and of the child it looked up there: 1 parent, then
  // child without nesting notation (recursive locking); 2 child, then parent
  // with it (against fs/dcache.c's order); 3 parent, then child with
  // DENTRY_D_LOCK_NESTED (the kernel's way: no report).
  int selftest_d_lock_nesting = 0;
  // Self-test of might_sleep: walk_components puts its reference to a
  // directory while holding the d_lock of the child it looked up.
  bool selftest_dput_under_spinlock = false;
  // Self-test of the PREEMPT_RT rule: __d_add wakes the in-lookup waiters
  // inside the i_dir_seq write section (before end_dir_add).
  bool selftest_wake_in_dir_add = false;
};

}  // namespace dcfuzz
