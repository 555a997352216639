// The model kernel's global state for one execution: what fs/dcache.c and
// fs/namei.c keep in globals (the in-lookup hash, rename_lock,
// s_vfs_rename_mutex, the wait_var table), the task table, and the objects
// allocated so far. Created in Program::before(), freed in Program::after();
// the compiled scenario it runs (core/plan.h) is only pointed to.
#pragma once

#include <vector>

#include "core/events.h"
#include "core/scenario.h"
#include "core/wait.h"
#include "oracles/linearize.h"

namespace dcfuzz {
class Host;
}

namespace dcfuzz::model {

struct Plan;

constexpr int kBuckets = 4;

// A __d_move of a hashed dentry from one main-hash chain to another: an RCU
// walker standing on it then follows it into the new chain and misses the
// rest of the old one (the entries added before it).
struct HashMove {
  dentry* d = nullptr;
  const dentry* old_parent = nullptr;  // its identity before the move
  int old_name = 0;
  unsigned old_seq = 0;    // its d_seq before the move
  int from = 0, to = 0;    // d_hash_bucket before and after
  uint32_t old_stamp = 0;  // its d_hash_stamp in the old chain
  uint32_t at = 0;         // hash_clock after the move
};
constexpr int kHashMoves = 8;

struct KernelState {
  Host* host = nullptr;
  const Plan* plan = nullptr;
  Task tasks[kMaxTasks];
  int ntasks = 0;
  uint32_t block_clock = 0;
  uint32_t next_dentry = 0;
  uint32_t next_inode = 0;
  std::vector<dentry*> dentries;  // alive, in creation order
  std::vector<dentry*> dead;      // killed; freed "after RCU", in after()
  std::vector<inode*> inodes;     // all, freed in after()
  // Inodes made before the tasks start, for new_inode to hand out: in the
  // kernel a new inode is set up before another task can find it (iget's
  // inode hash lock, I_NEW); the model's nfs server can hand one to another
  // task before its creator's ->create returns, with nothing to order them.
  std::vector<inode*> inode_pool;
  std::vector<inode*> tree_inodes;  // per initial tree node
  // The scenario's disconnected aliases, each held by a task outside the
  // scenario for the whole run (a handle decoder before its reconnect_path).
  std::vector<dentry*> held_outside;
  dentry* root = nullptr;
  SyncWord dentry_hashtable[kBuckets];  // the main hash's chain heads (RCU walks read them)
  uint32_t hash_clock = 0;              // bumped by every __d_rehash
  HashMove hash_moves[kHashMoves];      // the last moves, a ring
  uint32_t nhash_moves = 0;
  spinlock_t in_lookup_hashtable[kBuckets];
  seqlock_t rename_lock;
  rw_semaphore s_vfs_rename_mutex;
  VarWaitTable var_waiters;
  SyncWord server_calls;           // the nfs server's own changes, each one a scheduling decision
  bool tree_built = false;         // before(): the initial tree is no operation's change
  bool coherence_pending = false;  // some inode is coherence_dirty or alias_dirty
  oracle::History history;         // each operation's steps and result (the result oracle)
};

// The execution in progress on this thread.
KernelState& kstate();
void set_kstate(KernelState* state);
const Patches& patches();
const char* name_str(int name);

// An event for the report's interleaving table and the fuzzer's coverage, in
// `function`: the model function that calls trace(), unless it passes on its
// own caller (a primitive, or a helper that is part of a kernel function).
void trace(EventKind kind, const char* what, const ObjRef& object,
           const char* function = __builtin_FUNCTION());

}  // namespace dcfuzz::model
