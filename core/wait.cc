// Wait queues and wait_var_event (include/linux/wait_bit.h).
#include "core/wait.h"

#include "core/kernel_state.h"

namespace dcfuzz::model {

void wake_up_all(wait_queue_head* q, const ObjRef& what, const char* caller) {
  if (!q) return;
  trace(EventKind::wake, "wake_up_all", what, caller);
  while (q->waiters.count > 0) wake_task(q->waiters.pop());
}

namespace {
bool same_key(const ObjRef& a, const ObjRef& b) {
  return a.kind == b.kind && a.d == b.d && a.i == b.i && a.number == b.number;
}
}  // namespace

void var_wait_enqueue(const ObjRef& key) {
  VarWaitTable& table = kstate().var_waiters;
  int t = current().index;
  table.key[t] = key;
  table.waiting[t] = true;
}

void wake_up_var(const ObjRef& key, const char* caller) {
  VarWaitTable& table = kstate().var_waiters;
  trace(EventKind::wake, "wake_up_var", key, caller);
  for (int t = 0; t < kstate().ntasks; ++t) {
    if (!table.waiting[t] || !same_key(table.key[t], key)) continue;  // other keys: filtered
    table.waiting[t] = false;
    wake_task(t);
  }
}

}  // namespace dcfuzz::model
