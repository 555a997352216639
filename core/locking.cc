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

void spin_lock(spinlock_t* l, const char* caller) {
  check_lock_order(l->meta, caller);
  l->word.fetch_add(1);
  if (l->owner < 0) {
    l->owner = current().index;
  } else {
    sleep_for_lock(l->waiters, l->meta, caller, "spin_lock", false);
    l->word.load();  // the hand-over: orders the new owner after the old
  }
  lockdep_acquired(l->meta, false, caller);
  trace(EventKind::lock, "spin_lock", l->meta.ref, caller);
}

bool spin_trylock(spinlock_t* l, const char* caller) {
  l->word.fetch_add(1);
  if (l->owner >= 0) return false;
  l->owner = current().index;
  lockdep_acquired(l->meta, false, caller);
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

namespace {

// Grants the free semaphore to the waiters at the head of the queue: one
// writer, or the readers up to the next writer.
void rwsem_wake(rw_semaphore* s) {
  while (s->waiters.count > 0 && s->writer < 0) {
    int t = s->waiters.task[0];
    if (!s->waiter_shared[t]) {
      if (s->readers > 0) return;
      s->writer = s->waiters.pop();
      wake_task(t);
      return;
    }
    s->waiters.pop();
    ++s->readers;
    wake_task(t);
  }
}

// Writer preference: a queued writer blocks new readers.
void rwsem_down(rw_semaphore* s, bool shared, const char* caller, const char* what) {
  check_lock_order(s->meta, caller);
  s->word.fetch_add(1);
  const bool free_for_me = s->writer < 0 && s->waiters.count == 0 && (shared || s->readers == 0);
  if (free_for_me) {
    if (shared) {
      ++s->readers;
    } else {
      s->writer = current().index;
    }
  } else {
    s->waiter_shared[current().index] = shared;
    sleep_for_lock(s->waiters, s->meta, caller, what, shared);
    s->word.load();
  }
  lockdep_acquired(s->meta, shared, caller);
  trace(EventKind::lock, what, s->meta.ref, caller);
}

}  // namespace

void down_read(rw_semaphore* s, const char* what, const char* caller) {
  rwsem_down(s, true, caller, what);
}

void down_write(rw_semaphore* s, const char* what, const char* caller) {
  rwsem_down(s, false, caller, what);
}

void up_read(rw_semaphore* s, const char* what, const char* caller) {
  check_unlock_balance(s->meta, true, caller, what);
  s->word.fetch_add(1);
  lockdep_released(s->meta);
  --s->readers;
  rwsem_wake(s);
  trace(EventKind::unlock, what, s->meta.ref, caller);
}

void up_write(rw_semaphore* s, const char* what, const char* caller) {
  check_unlock_balance(s->meta, false, caller, what);
  s->word.fetch_add(1);
  lockdep_released(s->meta);
  s->writer = -1;
  rwsem_wake(s);
  trace(EventKind::unlock, what, s->meta.ref, caller);
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
