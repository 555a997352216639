// Lockdep in miniature: the locks each task holds, the lock order (rule 7)
// and lockdep's acquire checks (recursion by class and subclass, the d_lock
// nesting order of fs/dcache.c) before every acquire, the balance (rule 8)
// before every release -> "WARNING: bad unlock balance detected!"; and
// might_sleep() (CONFIG_DEBUG_ATOMIC_SLEEP).
#pragma once

#include "core/locking.h"

namespace dcfuzz::model {

// Before acquiring `lock` (not a trylock) with lockdep subclass `subclass`.
void check_lock_order(const LockMeta& lock, const char* function, int subclass = 0);
void check_unlock_balance(const LockMeta& lock, bool shared, const char* function,
                          const char* what);
// The held-lock record of the current task.
void lockdep_acquired(const LockMeta& lock, bool shared, const char* function, int subclass = 0,
                      bool spin = false);
void lockdep_released(const LockMeta& lock);
// The subclass the current task holds `lock` with (0 if it does not).
int lockdep_held_subclass(const LockMeta& lock);

// might_sleep() in `where` (down_read, dput, ...), called by `function`: in
// atomic context (a spinlock held, or preemption off) -> "BUG: sleeping
// function called from invalid context at <where>".
void might_sleep(const char* where, const char* function);
// PREEMPT_RT (Scenario::preempt_rt): spinlock_t and the wait-queue lock of a
// wake-up are sleeping locks, invalid where preemption is off (the i_dir_seq
// window of start_dir_add .. end_dir_add) or a raw spinlock is held.
void rt_might_sleep(const char* where, const char* function);

}  // namespace dcfuzz::model
