// Kernel locking primitives on Relacy: spinlock_t, rw_semaphore (and a mutex
// as its exclusive half), seqcount_t and seqlock_t. Every acquire and release
// is a scheduling decision; contention sleeps (a spinning CPU is modelled as
// a sleeping task, so "run until blocked" never spins). Locks hand over to
// waiters in FIFO order, like ticket spinlocks and rwsem hand-off.
#pragma once

#include "core/rl.h"
#include "core/sched.h"

namespace dcfuzz::model {

// Lock classes, in the order they nest (docs/model.md rule 7).
enum class LockRank : uint8_t { rename_mutex, i_rwsem, rename_lock, d_lock, bucket };

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

struct rw_semaphore {
  LockMeta meta;
  SyncWord word;
  int writer = -1;
  int readers = 0;
  WaitList waiters;
  bool waiter_shared[kMaxTasks] = {};  // by task index
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
bool spin_trylock(spinlock_t* l, const char* caller = __builtin_FUNCTION());
void spin_unlock(spinlock_t* l, const char* caller = __builtin_FUNCTION());
bool spin_is_held_by_me(const spinlock_t* l);

// `what` names the operation in events and wait sites ("inode_lock_shared").
void down_read(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());
void down_write(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());
void up_read(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());
void up_write(rw_semaphore* s, const char* what, const char* caller = __builtin_FUNCTION());

// s_vfs_rename_mutex: a mutex, modelled as the exclusive half of an rwsem.
inline void mutex_lock(rw_semaphore* m, const char* caller = __builtin_FUNCTION()) {
  down_write(m, "mutex_lock", caller);
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
