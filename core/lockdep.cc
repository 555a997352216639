// Lockdep in miniature (kernel/locking/lockdep.c): the held-lock record and
// the checks made on it.
#include "core/lockdep.h"

#include "core/bug.h"
#include "core/events.h"
#include "core/kernel_state.h"
#include "core/plan.h"

namespace dcfuzz::model {

void lockdep_acquired(const LockMeta& m, bool shared, const char* function, int subclass,
                      bool spin) {
  Task& t = current();
  if (t.nheld == kMaxHeld) invariant_violation("lock depth", nullptr, function);
  t.held[t.nheld++] = HeldLock{&m, shared, function, uint8_t(subclass), spin};
}

void lockdep_released(const LockMeta& m) {
  Task& t = current();
  for (int i = t.nheld - 1; i >= 0; --i) {
    if (t.held[i].lock != &m) continue;
    for (int j = i + 1; j < t.nheld; ++j) t.held[j - 1] = t.held[j];
    --t.nheld;
    return;
  }
}

int lockdep_held_subclass(const LockMeta& m) {
  const Task& t = current();
  for (int i = 0; i < t.nheld; ++i)
    if (t.held[i].lock == &m) return t.held[i].subclass;
  return 0;
}

namespace {

// The lock class, as lockdep keys it: every d_lock is one class, every
// i_rwsem another, ...; a subclass (spin_lock_nested) is a class of its own.
bool same_class(const HeldLock& h, const LockMeta& lock, int subclass) {
  return h.lock->ref.kind == lock.ref.kind && h.subclass == subclass;
}

bool holds_rename_lock_for_write(const Task& t) {
  for (int i = 0; i < t.nheld; ++i)
    if (t.held[i].lock->ref.kind == Obj::rename_lock && !t.held[i].shared) return true;
  return false;
}

bool is_ancestor(const dentry* a, const dentry* d) {
  for (; !IS_ROOT(d); d = d->d_parent)
    if (d->d_parent == a) return true;
  return false;
}

void lockdep_header(Text& out, const Task& t, const char* function, const LockMeta& lock,
                    int subclass, const HeldLock& h) {
  out.add("T%d is trying to acquire lock:\n  %s/%d, at: %s\n", t.index + 1, ObjName(lock.ref).buf,
          subclass, function);
  out.add("but task is already holding lock:\n  %s/%d, at: %s\n", ObjName(h.lock->ref).buf,
          h.subclass, h.function);
}

// lockdep's check_deadlock: the same class and subclass already held. The
// in-lookup hash's bit locks are not lockdep-tracked.
void check_recursion(const Task& t, const LockMeta& lock, int subclass, const char* function) {
  if (lock.ref.kind == Obj::bucket) return;
  for (int i = 0; i < t.nheld; ++i) {
    const HeldLock& h = t.held[i];
    if (!same_class(h, lock, subclass)) continue;
    trace(EventKind::lock, "lock", lock.ref, function);  // the acquire that fails the check
    Text& out = new_finding();
    lockdep_header(out, t, function, lock, subclass, h);
    out.add("\nother info that might help us debug this:\n Possible unsafe locking scenario:\n");
    out.add(
        "       lock(%s);\n       lock(%s);\n\n *** DEADLOCK ***\n May be due to missing "
        "lock nesting notation\n\n",
        ObjName(h.lock->ref).buf, ObjName(lock.ref).buf);
    describe_tasks(out);
    report_finding(FindingKind::lockdep, t.index, function, out,
                   "WARNING: possible recursive locking detected");
  }
}

// fs/dcache.c's d_lock order: a d_lock taken while another is held is a
// descendant's, taken with a nested subclass; only __d_move, which holds
// rename_lock for write, may take unrelated ones. Lockdep keys all d_locks
// as one class, so the nesting notation is all it sees; the model checks the
// order the notation promises, so that a child-before-parent acquisition is
// reported at once, not only as the deadlock it allows.
void check_d_lock_order(const Task& t, const LockMeta& lock, int subclass, const char* function) {
  if (lock.ref.kind != Obj::d_lock || holds_rename_lock_for_write(t)) return;
  for (int i = 0; i < t.nheld; ++i) {
    const HeldLock& h = t.held[i];
    if (h.lock->ref.kind != Obj::d_lock || is_ancestor(h.lock->ref.d, lock.ref.d)) continue;
    trace(EventKind::lock, "lock", lock.ref, function);
    Text& out = new_finding();
    out.add(
        "T%d is trying to acquire lock:\n  %s/%d, at: %s\nbut task is already holding lock:\n"
        "  %s/%d, at: %s\nwhich is not an ancestor of it.\n\nthe existing dependency chain "
        "(fs/dcache.c: a parent's d_lock before its child's):\n  %s -> %s\n\n"
        " Possible unsafe locking scenario:\n       CPU0                    CPU1\n"
        "       lock(%s);\n                               lock(%s);\n"
        "                               lock(%s);\n       lock(%s);\n\n *** DEADLOCK ***\n\n",
        t.index + 1, ObjName(lock.ref).buf, subclass, function, ObjName(h.lock->ref).buf,
        h.subclass, h.function, ObjName(lock.ref).buf, ObjName(h.lock->ref).buf,
        ObjName(h.lock->ref).buf, ObjName(lock.ref).buf, ObjName(lock.ref).buf,
        ObjName(h.lock->ref).buf);
    describe_tasks(out);
    report_finding(FindingKind::lockdep, t.index, function, out,
                   "WARNING: possible circular locking dependency detected");
  }
}

bool in_atomic(const Task& t) {
  if (t.preempt_off > 0) return true;
  for (int i = 0; i < t.nheld; ++i)
    if (t.held[i].spin) return true;
  return false;
}

[[noreturn]] void sleeping_in_atomic(const Task& t, const char* where, const char* function,
                                     const char* why) {
  trace(EventKind::other, where, nref(Obj::task, uint32_t(t.index)), function);
  Text& out = new_finding();
  out.add("BUG: sleeping function called from invalid context at %s\n", where);
  out.add("in_atomic(): 1, preempt_disable depth: %d, T%d, called from %s\n%s\n", t.preempt_off,
          t.index + 1, function, why);
  describe_tasks(out);
  report_finding(FindingKind::sleep_in_atomic, t.index, function, out,
                 "BUG: sleeping function called from invalid context at %s", where);
}

}  // namespace

void check_lock_order(const LockMeta& lock, const char* function, int subclass) {
  const Task& t = current();
  for (int i = 0; i < t.nheld; ++i) {
    const HeldLock& h = t.held[i];
    if (h.lock->rank <= lock.rank) continue;
    Text& out = new_finding();
    out.add("%s takes %s while holding %s (taken by %s)\n", function, ObjName(lock.ref).buf,
            ObjName(h.lock->ref).buf, h.function);
    describe_tasks(out);
    report_finding(FindingKind::lock_order, t.index, function, out,
                   "BUG: dcache invariant: lock order");
  }
  check_recursion(t, lock, subclass, function);
  check_d_lock_order(t, lock, subclass, function);
}

void might_sleep(const char* where, const char* function) {
  const Task& t = current();
  if (!in_atomic(t)) return;
  sleeping_in_atomic(t, where, function,
                     t.preempt_off > 0 ? "preemption is disabled" : "a spinlock is held");
}

void rt_might_sleep(const char* where, const char* function) {
  if (!kstate().plan->scenario.preempt_rt) return;
  const Task& t = current();
  bool raw = false;
  for (int i = 0; i < t.nheld; ++i) raw = raw || t.held[i].lock->ref.kind == Obj::bucket;
  if (t.preempt_off == 0 && !raw) return;
  sleeping_in_atomic(t, where, function,
                     "PREEMPT_RT: a spinlock_t (a wait queue's lock) is a sleeping lock; "
                     "preemption is disabled here (i_dir_seq write section) or a raw spinlock is "
                     "held");
}

void check_unlock_balance(const LockMeta& lock, bool shared, const char* function,
                          const char* what) {
  const Task& t = current();
  const HeldLock* mine = nullptr;
  for (int i = 0; i < t.nheld; ++i)
    if (t.held[i].lock == &lock) mine = &t.held[i];
  if (mine && mine->shared == shared) return;
  trace(EventKind::unlock, what, lock.ref,
        function);  // the failing release: the report's fatal event
  const char* why = !mine          ? "but there are no more locks to release!"
                    : mine->shared ? "but it holds the lock shared"
                                   : "but it holds the lock exclusive";
  Text& out = new_finding();
  out.add("T%d is trying to release lock (%s) at:\n  %s -> %s\n%s\n", t.index + 1,
          ObjName(lock.ref).buf, function, what, why);
  describe_tasks(out);
  report_finding(FindingKind::bad_unlock_balance, t.index, function, out, "%s",
                 kBadUnlockBalanceTitle);
}

}  // namespace dcfuzz::model
