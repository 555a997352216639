// Sleeping for a condition: the mainline in-lookup wait queue (its head lives
// in the lookup owner's stack frame) and the patch series' wait_var_event /
// wake_up_var, keyed by a variable (a wake on another key is filtered out).
#pragma once

#include "core/locking.h"

namespace dcfuzz::model {

struct wait_queue_head {
  WaitList waiters;
};

// wake_up_all(): wakes and dequeues every waiter.
void wake_up_all(wait_queue_head* q, const ObjRef& what, const char* caller = __builtin_FUNCTION());

// The shared hashed table of wait_var_event: entries keyed by variable.
struct VarWaitTable {
  ObjRef key[kMaxTasks];
  bool waiting[kMaxTasks] = {};
};

// prepare_to_wait_event on `key` for the current task.
void var_wait_enqueue(const ObjRef& key);
// wake_up_var(): wakes every entry keyed `key`, and no other.
void wake_up_var(const ObjRef& key, const char* caller = __builtin_FUNCTION());

}  // namespace dcfuzz::model
