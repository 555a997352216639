// Lockdep in miniature (kernel/locking/lockdep.c): the held-lock record and
// the checks made on it.
#include "core/lockdep.h"

#include "core/bug.h"
#include "core/events.h"
#include "core/kernel_state.h"

namespace dcfuzz::model {

void lockdep_acquired(const LockMeta& m, bool shared, const char* function) {
  Task& t = current();
  if (t.nheld == kMaxHeld) invariant_violation("lock depth", nullptr, function);
  t.held[t.nheld++] = HeldLock{&m, shared, function};
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

void check_lock_order(const LockMeta& lock, const char* function) {
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
