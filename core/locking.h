// Kernel locking primitives on Relacy: spinlock_t, rw_semaphore (and a mutex
// as its exclusive half), seqcount_t and seqlock_t. Every acquire and release
// is a scheduling decision; contention sleeps (a spinning CPU is modelled as
// a sleeping task, so "run until blocked" never spins). Spinlocks hand over
// to waiters in FIFO order, like ticket spinlocks; rw_semaphore follows
// kernel/locking/rwsem.c (reader stealing, phase-fair reader wake-up, writers
// that are woken rather than handed the lock, HANDOFF): see locking.cc.
#pragma once

#include "core/rl.h"
#include "core/sched.h"

namespace dcfuzz::model {

// Lock classes, in the order they nest (docs/model.md rule 7).
enum class LockRank : uint8_t { rename_mutex, i_rwsem, rename_lock, i_lock, d_lock, bucket };

struct LockMeta {
  ObjRef ref;
  LockRank rank = LockRank::d_lock;
};

struct spinlock_t {
  LockMeta meta;
  SyncWord word;
  int owner = -1;
  WaitList waiters;
};

// lockdep subclasses (spin_lock_nested, inode_lock_nested).
enum : int { DENTRY_D_LOCK_NORMAL = 0, DENTRY_D_LOCK_NESTED = 1 };
enum : int {
  I_MUTEX_NORMAL = 0,
  I_MUTEX_PARENT = 1,
  I_MUTEX_CHILD = 2,
  I_MUTEX_NONDIR2 = 3,  // lock_two_nondirectories' second
  I_MUTEX_PARENT2 = 5
};

// The kernel's count word, as fields: RWSEM_WRITER_LOCKED is `writer` (the
// owner), the reader biases `readers`, RWSEM_FLAG_WAITERS a non-empty
// `waiters` list (FIFO, readers and writers mixed), RWSEM_FLAG_HANDOFF
// `handoff`.
struct rw_semaphore {
  LockMeta meta;
  SyncWord word;
  int writer = -1;
  int readers = 0;
  WaitList waiters;
  bool waiter_shared[kMaxTasks] = {};  // by task index
  bool handoff = false;                // RWSEM_FLAG_HANDOFF: nobody may steal
  int handoff_waiter = -1;             // the first waiter that set it (waiter->handoff_set)
};

struct seqcount_t {
  ObjRef ref;
  SyncWord word;
  unsigned seq = 0;  // shadow of word
  WaitList waiters;  // readers and writers waiting for an even count
};

struct seqlock_t {
  spinlock_t lock;
  seqcount_t seqcount;
};

// Each primitive records the model function that called it (`caller`, the
// caller's __func__, taken at the call site by the default argument): its
// events, held locks and wait sites name that function. A wrapper the kernel
// inlines (inode_lock, mutex_lock, write_seqlock) passes its own caller on.
void spin_lock(spinlock_t* l, const char* caller = __builtin_FUNCTION());
// A second lock of the same class, annotated for lockdep (`subclass`).
void spin_lock_nested(spinlock_t* l, int subclass, const char* caller = __builtin_FUNCTION());
bool spin_trylock(spinlock_t* l, const char* caller = __builtin_FUNCTION());
void spin_unlock(spinlock_t* l, const char* caller = __builtin_FUNCTION());
bool spin_is_held_by_me(const spinlock_t* l);

// `what` names the operation in events and wait sites ("inode_lock_shared").
void down_read(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());
void down_write(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());
void down_write_nested(rw_semaphore* s, int subclass, const char* what,
                       const char* caller = __builtin_FUNCTION());
void up_read(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());
void up_write(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());

// Never wait: false while anyone holds the semaphore against us or waits for
// it (__down_read_trylock fails on WRITER_LOCKED, WAITERS or HANDOFF).
bool down_read_trylock(rw_semaphore* s, const char* what,
                       const char* caller = __builtin_FUNCTION());
bool down_write_trylock(rw_semaphore* s, const char* what,
                        const char* caller = __builtin_FUNCTION());

// s_vfs_rename_mutex: a mutex, modelled as the exclusive half of an rwsem.
inline void mutex_lock(rw_semaphore* m, const char* caller = __builtin_FUNCTION()) {
  down_write(m, "mutex_lock", caller);
}
inline bool mutex_trylock(rw_semaphore* m, const char* caller = __builtin_FUNCTION()) {
  return down_write_trylock(m, "mutex_trylock", caller);
}
inline void mutex_unlock(rw_semaphore* m, const char* caller = __builtin_FUNCTION()) {
  up_write(m, "mutex_unlock", caller);
}

// Readers: a begin that waits while a writer is inside, and the retry test.
unsigned read_seqbegin(seqcount_t* s, const char* caller = __builtin_FUNCTION());
bool read_seqretry(seqcount_t* s, unsigned start);
unsigned raw_seqcount(seqcount_t* s);  // smp_load_acquire: no waiting
// Sleeps until the count is even (a spin-wait, modelled as a sleep).
void wait_seqcount_even(seqcount_t* s, const char* caller = __builtin_FUNCTION());
// Writers: begin (even -> odd) under the writer's own exclusion, end (-> even).
void write_seqcount_begin(seqcount_t* s);
void write_seqcount_end(seqcount_t* s);

void write_seqlock(seqlock_t* l, const char* caller = __builtin_FUNCTION());
void write_sequnlock(seqlock_t* l, const char* caller = __builtin_FUNCTION());

}  // namespace dcfuzz::model
