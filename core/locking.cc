// spinlock_t, rw_semaphore, seqcount_t, seqlock_t on Relacy; each acquire and
// release goes through lockdep (lockdep.cc).
#include "core/locking.h"

#include "core/dcache.h"
#include "core/kernel_state.h"
#include "core/lockdep.h"

namespace dcfuzz::model {

namespace {

// Sleeps until a releasing task hands the lock over.
void sleep_for_lock(WaitList& waiters, const LockMeta& m, const char* caller, const char* what,
                    bool shared) {
  waiters.push(current().index);
  prepare_to_wait(WaitSite{caller, what, m.ref, true, nullptr, &m, shared});
  schedule_wait();
}

}  // namespace

bool spin_is_held_by_me(const spinlock_t* l) { return l->owner == current().index; }

void spin_lock_nested(spinlock_t* l, int subclass, const char* caller) {
  check_lock_order(l->meta, caller, subclass);
  // PREEMPT_RT: spinlock_t sleeps; the in-lookup hash's bit locks are raw.
  if (l->meta.ref.kind != Obj::bucket) rt_might_sleep("spin_lock", caller);
  l->word.fetch_add(1);
  if (l->owner < 0) {
    l->owner = current().index;
  } else {
    sleep_for_lock(l->waiters, l->meta, caller, "spin_lock", false);
    l->word.load();  // the hand-over: orders the new owner after the old
  }
  lockdep_acquired(l->meta, false, caller, subclass, true);
  trace(EventKind::lock, "spin_lock", l->meta.ref, caller);
}

void spin_lock(spinlock_t* l, const char* caller) { spin_lock_nested(l, 0, caller); }

// Trylocks are not checked by lockdep (no recursion or order check).
bool spin_trylock(spinlock_t* l, const char* caller) {
  l->word.fetch_add(1);
  if (l->owner >= 0) return false;
  l->owner = current().index;
  lockdep_acquired(l->meta, false, caller, 0, true);
  trace(EventKind::lock, "spin_lock", l->meta.ref, caller);
  return true;
}

void spin_unlock(spinlock_t* l, const char* caller) {
  check_unlock_balance(l->meta, false, caller, "spin_unlock");
  l->word.fetch_add(1);
  lockdep_released(l->meta);
  l->owner = l->waiters.pop();
  if (l->owner >= 0) wake_task(l->owner);
  trace(EventKind::unlock, "spin_unlock", l->meta.ref, caller);
  if (l->meta.ref.kind == Obj::d_lock) check_lookup_end_woke(const_cast<dentry*>(l->meta.ref.d));
}

// rw_semaphore after kernel/locking/rwsem.c (6.x). What the model decides
// and what it leaves to the schedule:
// - A reader that is woken is granted the lock by the waker
//   (rwsem_mark_wake), and all queued readers go together: when the first
//   waiter is a reader, every reader in the queue is granted, writers keep
//   their places ("phase-fair").
// - A writer that is woken is not handed the lock: it takes it when it runs
//   (rwsem_try_write_lock), if it is still free. Until then the lock is free
//   with waiters, and a task arriving then steals it as the kernel's would:
//   a reader (rwsem_down_read_slowpath's "reader optimistic lock stealing")
//   always, a writer (its try-lock once queued) always.
// - Between __up_write's count update and rwsem_wake's rwsem_mark_wake, a
//   spinning writer may steal from a first waiter that is a reader; that
//   window is one scheduling decision, and whether the arriving writer spins
//   (rwsem_optimistic_spin depends on CPUs and timing) is a choice.
// - RWSEM_FLAG_HANDOFF is set by a waiter that has waited past
//   RWSEM_WAIT_TIMEOUT: whether it has is a choice at each failed try after
//   a sleep (any delay is possible); with it set nobody steals.
// Every outcome the kernel allows at a given arrival order is thus one the
// schedule can pick, and the model picks no other.
namespace {

bool rwsem_first_is_reader(const rw_semaphore* s) {
  return s->waiters.count > 0 && s->waiter_shared[s->waiters.task[0]];
}

enum class WakeType { any, readers, read_owned };  // RWSEM_WAKE_*

// The waiter's timeout may have passed: the schedule's choice.
void rwsem_maybe_handoff(rw_semaphore* s) {
  if (s->handoff || rl::rand(2) == 0) return;
  s->handoff = true;
  s->handoff_waiter = s->waiters.task[0];
}

// rwsem_mark_wake: a first waiter that is a writer is woken (WAKE_ANY only);
// else every queued reader is granted, unless a writer stole the lock.
void rwsem_mark_wake(rw_semaphore* s, WakeType type) {
  if (s->waiters.count == 0) return;
  const int first = s->waiters.task[0];
  if (!s->waiter_shared[first]) {
    if (type == WakeType::any) wake_task(first);
    return;
  }
  if (type != WakeType::read_owned && s->writer >= 0) {
    rwsem_maybe_handoff(s);  // a writer stole it: back out
    return;
  }
  bool woken = false;
  for (int i = 0; i < s->waiters.count;) {
    const int t = s->waiters.task[i];
    if (!s->waiter_shared[t]) {
      ++i;
      continue;
    }
    s->waiters.remove(t);
    ++s->readers;
    wake_task(t);
    woken = true;
  }
  if (woken) {
    s->handoff = false;
    s->handoff_waiter = -1;
  }
}

// rwsem_cond_wake_waiter: called by a task that has just queued.
void rwsem_cond_wake_waiter(rw_semaphore* s) {
  if (s->writer >= 0) return;
  rwsem_mark_wake(s, s->readers > 0 ? WakeType::readers : WakeType::any);
}

// rwsem_try_write_lock, for a queued writer `me`. `slept`: it has slept
// since it queued, so its RWSEM_WAIT_TIMEOUT may have passed.
bool rwsem_try_write_lock(rw_semaphore* s, int me, bool slept) {
  const int first = s->waiters.task[0];
  if (s->handoff && s->handoff_waiter == first && me != first) return false;
  if (s->writer >= 0 || s->readers > 0) {
    if (slept) rwsem_maybe_handoff(s);
    return false;
  }
  s->writer = me;
  s->waiters.remove(me);
  s->handoff = false;
  s->handoff_waiter = -1;
  return true;
}

void rwsem_sleep(rw_semaphore* s, bool shared, const char* caller, const char* what) {
  prepare_to_wait(WaitSite{caller, what, s->meta.ref, true, nullptr, &s->meta, shared, s});
  schedule_wait();
  s->word.load();  // orders it after the task that woke it
}

void rwsem_queue(rw_semaphore* s, bool shared) {
  const int me = current().index;
  s->waiter_shared[me] = shared;
  s->waiters.push(me);
}

void rwsem_down_read(rw_semaphore* s, const char* caller, const char* what) {
  might_sleep("down_read", caller);
  check_lock_order(s->meta, caller, 0);
  s->word.fetch_add(1);
  const int me = current().index;
  if (s->writer < 0 && s->waiters.count == 0 && !s->handoff) {
    ++s->readers;  // rwsem_read_trylock
  } else if (s->writer < 0 && s->readers == 0 && !s->handoff) {
    ++s->readers;  // reader optimistic lock stealing: it is free, a woken writer has not run
    rwsem_mark_wake(s, WakeType::read_owned);
  } else {
    // Writer-held, HANDOFF, or held by readers with waiters (rcnt > 1: no
    // stealing past the sleepers).
    rwsem_queue(s, true);
    rwsem_cond_wake_waiter(s);
    while (s->waiters.contains(me)) rwsem_sleep(s, true, caller, what);
  }
  lockdep_acquired(s->meta, true, caller);
  trace(EventKind::lock, what, s->meta.ref, caller);
}

void rwsem_down_write(rw_semaphore* s, int subclass, const char* caller, const char* what) {
  might_sleep("down_write", caller);
  check_lock_order(s->meta, caller, subclass);
  s->word.fetch_add(1);
  const int me = current().index;
  const bool free = s->writer < 0 && s->readers == 0;
  if (free && s->waiters.count == 0) {
    s->writer = me;  // rwsem_write_trylock
  } else if (free && !s->handoff && rwsem_first_is_reader(s) && rl::rand(2)) {
    s->writer = me;  // rwsem_optimistic_spin: the unqueued try-lock ignores the waiters
  } else {
    rwsem_queue(s, false);
    if (s->waiters.task[0] != me) rwsem_cond_wake_waiter(s);
    for (bool slept = false; !rwsem_try_write_lock(s, me, slept); slept = true)
      rwsem_sleep(s, false, caller, what);
  }
  lockdep_acquired(s->meta, false, caller, subclass);
  trace(EventKind::lock, what, s->meta.ref, caller);
}

// __up_read / __up_write with RWSEM_FLAG_WAITERS set: rwsem_wake. A first
// waiter that is a reader is granted only after one more decision (a writer
// may steal in between); a writer is woken and takes the lock when it runs.
void rwsem_wake(rw_semaphore* s) {
  if (rwsem_first_is_reader(s)) s->word.load();
  rwsem_mark_wake(s, WakeType::any);
}

}  // namespace

namespace {

bool rwsem_trylock(rw_semaphore* s, bool shared, const char* caller, const char* what) {
  s->word.fetch_add(1);
  if (s->writer >= 0 || s->waiters.count > 0 || (!shared && s->readers > 0)) return false;
  if (shared) {
    ++s->readers;
  } else {
    s->writer = current().index;
  }
  lockdep_acquired(s->meta, shared, caller);
  trace(EventKind::lock, what, s->meta.ref, caller);
  return true;
}

}  // namespace

bool down_read_trylock(rw_semaphore* s, const char* what, const char* caller) {
  return rwsem_trylock(s, true, caller, what);
}

bool down_write_trylock(rw_semaphore* s, const char* what, const char* caller) {
  return rwsem_trylock(s, false, caller, what);
}

void down_read(rw_semaphore* s, const char* what, const char* caller) {
  rwsem_down_read(s, caller, what);
}

void down_write(rw_semaphore* s, const char* what, const char* caller) {
  rwsem_down_write(s, 0, caller, what);
}

void down_write_nested(rw_semaphore* s, int subclass, const char* what, const char* caller) {
  rwsem_down_write(s, subclass, caller, what);
}

void up_read(rw_semaphore* s, const char* what, const char* caller) {
  check_unlock_balance(s->meta, true, caller, what);
  s->word.fetch_add(1);
  lockdep_released(s->meta);
  --s->readers;
  trace(EventKind::unlock, what, s->meta.ref, caller);
  if (s->readers == 0 && s->writer < 0 && s->waiters.count > 0) rwsem_wake(s);
}

void up_write(rw_semaphore* s, const char* what, const char* caller) {
  check_unlock_balance(s->meta, false, caller, what);
  s->word.fetch_add(1);
  lockdep_released(s->meta);
  s->writer = -1;
  trace(EventKind::unlock, what, s->meta.ref, caller);
  if (s->waiters.count > 0) rwsem_wake(s);
}

unsigned raw_seqcount(seqcount_t* s) { return s->word.load(); }

void wait_seqcount_even(seqcount_t* s, const char* caller) {
  if (!(s->seq & 1)) return;
  s->waiters.push(current().index);
  prepare_to_wait(WaitSite{caller, "spin until even", s->ref, true, nullptr});
  schedule_wait();
}

unsigned read_seqbegin(seqcount_t* s, const char* caller) {
  for (;;) {
    unsigned v = s->word.load();
    if (!(v & 1)) return v;
    wait_seqcount_even(s, caller);
  }
}

bool read_seqretry(seqcount_t* s, unsigned start) { return s->word.load() != start; }

// The shadow follows the store: other tasks only run at the store's decision.
void write_seqcount_begin(seqcount_t* s) {
  s->word.store(s->seq + 1);
  ++s->seq;
}

void write_seqcount_end(seqcount_t* s) {
  s->word.store(s->seq + 1);
  ++s->seq;
  while (s->waiters.count > 0) wake_task(s->waiters.pop());
}

void write_seqlock(seqlock_t* l, const char* caller) {
  spin_lock(&l->lock, caller);
  write_seqcount_begin(&l->seqcount);
}

void write_sequnlock(seqlock_t* l, const char* caller) {
  write_seqcount_end(&l->seqcount);
  spin_unlock(&l->lock, caller);
}

}  // namespace dcfuzz::model
