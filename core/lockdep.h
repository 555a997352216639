// Lockdep in miniature: the locks each task holds, the lock order (rule 7)
// checked before every acquire, and the balance (rule 8) before every
// release -> "WARNING: bad unlock balance detected!".
#pragma once

#include "core/locking.h"

namespace dcfuzz::model {

void check_lock_order(const LockMeta& lock, const char* function);
void check_unlock_balance(const LockMeta& lock, bool shared, const char* function,
                          const char* what);
// The held-lock record of the current task.
void lockdep_acquired(const LockMeta& lock, bool shared, const char* function);
void lockdep_released(const LockMeta& lock);

}  // namespace dcfuzz::model
