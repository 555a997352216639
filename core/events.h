// What code outside the model acts on: the kinds of events and findings, and
// the event names and titles it looks for (core/ has no Relacy in this
// header, so the engine, reports and benchmarks can include it).
#pragma once

#include <cstdint>

namespace dcfuzz {

// What a traced event does, for reports (the fatal events, the swimlane's
// colours); its `what` says it in words.
enum class EventKind : uint8_t {
  other,       // an op's begin and end, an allocation, a free, ->lookup
  lock,        // a lock taken
  unlock,      // a lock released (or an attempt: the bad unlock balance)
  sleep,       // the task goes to sleep
  wake,        // wake_up_all, wake_up_var
  state,       // a dentry hashed, unhashed, added to the in-lookup hash, moved
  lookup_end,  // DCACHE_PAR_LOOKUP cleared: an in-lookup dentry's lookup ended
};

// What a finding is; its title (the bucket) says it in words.
enum class FindingKind : uint8_t {
  none,                // no finding
  hung_task,           // "INFO: task hung in ..." (also the engine's own deadlock)
  lost_wakeup,         // "BUG: lost wakeup in ..."
  bad_unlock_balance,  // kBadUnlockBalanceTitle (also Relacy's unlock of a mutex not owned)
  lock_order,          // "BUG: dcache invariant: lock order"
  lockdep,             // lockdep's "possible recursive locking" / "circular locking dependency"
  sleep_in_atomic,     // "BUG: sleeping function called from invalid context at ..."
  kernel_assertion,    // the kernel's own WARN_ON / BUG_ON: "WARNING in f", "kernel BUG in f"
  invariant,           // "BUG: dcache invariant: ..." (the in-lookup rules, references)
  other,               // the engine's other checks: livelock, data race, use-after-free, leak
  incoherent,          // "BUG: dcache incoherent: ..." (the dcache against the disk)
  wrong_result,        // "BUG: wrong result: ..." (a result no sequential order gives)
};

// The title of a bad unlock balance, from the model's lock checks and from
// Relacy's own (an unlock of a mutex not owned).
inline constexpr const char kBadUnlockBalanceTitle[] = "WARNING: bad unlock balance detected!";

// Traced by each early return of d_add_ci that leaves the parent's i_rwsem
// unlocked (v4 7/7), on that i_rwsem: which of the three returns was taken.
inline constexpr const char kAddCiReturnParallelError[] = "return: parallel ENOMEM";
inline constexpr const char kAddCiReturnNotInLookup[] = "return: not in lookup";
inline constexpr const char kAddCiReturnAllocError[] = "return: d_alloc ENOMEM";

}  // namespace dcfuzz
