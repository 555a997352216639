// The dentry cache: dentries, inodes, and the functions of fs/dcache.c that
// the parallel-lookup machinery is made of, with the kernel's names.
//
// Left out, as they do not change who waits for whom: the LRU and shrinkers,
// d_children (nothing here walks children), the main hash's bit locks (hash
// updates happen under d_lock between two decisions), inode eviction (inodes
// live until the execution ends). The main hash's RCU walk is not atomic:
// see __d_lookup_rcu.
#pragma once

#include "core/wait.h"

namespace dcfuzz::model {

enum : unsigned {
  DCACHE_PAR_LOOKUP = 1u << 0,      // in lookup (d_in_lookup)
  DCACHE_DISCONNECTED = 1u << 1,    // a file-handle alias not yet connected
  DCACHE_LOOKUP_WAITERS = 1u << 2,  // someone sleeps on d_flags (patch series)
  DCACHE_NFSFS_RENAMED = 1u << 3,   // nfs: silly-renamed (an open file unlinked or replaced)
};

// Lookup flags (include/linux/namei.h).
enum : unsigned {
  LOOKUP_CREATE = 1u << 0,
  LOOKUP_EXCL = 1u << 1,
  LOOKUP_RENAME_TARGET = 1u << 2,
  LOOKUP_SHARED = 1u << 3,  // v4 6/7: the parent is held shared
  LOOKUP_OPEN = 1u << 4,
};

struct dentry;

// The coherence oracle's note of the last change (core/coherence.h): which
// operation (thread * 16 + op; -1: the initial tree) at which step.
struct Change {
  int16_t op = -1;
  uint32_t step = 0;
};

// A directory entry on the model filesystem's "disk".
struct DirEntry {
  int name;
  struct inode* inode;
};

struct inode {
  uint32_t i_no = 0;
  bool dir = false;
  char path[64] = {};  // where it was created: its name in reports
  rw_semaphore i_rwsem;
  spinlock_t i_lock;  // protects i_dentry and d_inode of the aliases
  seqcount_t i_dir_seq;
  std::vector<dentry*> i_dentry;  // aliases, under i_lock
  // Directories: the contents on disk, read and written under i_rwsem; the
  // rl::var makes Relacy report any access that is not.
  std::vector<DirEntry> entries;
  rl::var<int> i_contents{0};
  // The oracles' identity of the inode (oracles/seqfs.h: root, tree node or
  // creating op) and the last change of its contents on disk.
  int slot = -1;
  Change disk_changed;
  bool dead = false;  // S_DEAD: a directory rmdir removed or a rename replaced (IS_DEADDIR)
  int i_nlink = 0;    // the names the disk has for it (disk_add, disk_remove)
  bool coherence_dirty = false;  // its names, cached or on disk, changed since checked
  bool alias_dirty = false;      // it gained an alias since checked
  // nfs: the last step the server changed these contents itself (a server
  // op; 0: never), behind the client's dcache.
  uint32_t server_changed = 0;
};

struct dentry {
  uint32_t d_no = 0;
  int d_name = 0;              // interned name
  dentry* d_parent = nullptr;  // itself for IS_ROOT
  inode* d_inode = nullptr;
  unsigned d_flags = 0;
  int d_count = 1;        // lockref count; negative once dead
  bool d_hashed = false;  // main hash (an IS_ROOT dentry never is: no d_obtain_root)
  // d_seq: odd while __d_move or (un)instantiation rewrites the dentry. A
  // plain counter: written under d_lock with no decision between its begin
  // and end unless the kernel's section has one, read at the reader's own.
  unsigned d_seq = 0;
  uint32_t d_hash_stamp = 0;        // when __d_rehash put it at the head of its chain
  bool d_in_bucket = false;         // in the in-lookup hash
  int lookup_owner = -1;            // task that got it from d_alloc_parallel
  dentry* lookup_parent = nullptr;  // frozen while in lookup (rule 2)
  int lookup_name = 0;
  wait_queue_head* d_wait = nullptr;  // mainline: the owner's on-stack queue
  const dentry* dup_of = nullptr;     // v4 5/7: made by d_duplicate of it, while in lookup
  // Lost-wakeup detector: tasks waiting when PAR_LOOKUP was cleared, checked
  // when the clearing d_lock section ends.
  uint8_t wake_check = 0;
  const char* wake_check_function = nullptr;
  Change changed;  // last instantiated, made negative, hashed or moved
  // The step the op that last changed it began at: what the client knew of
  // the server then or later (the coherence check's nfs rule).
  uint32_t d_verifier = 0;
  spinlock_t d_lock;
};

inline bool IS_ROOT(const dentry* d) { return d->d_parent == d; }
inline bool d_in_lookup(const dentry* d) { return d->d_flags & DCACHE_PAR_LOOKUP; }
inline bool d_unhashed(const dentry* d) { return !d->d_hashed; }
// In the main hash (an IS_ROOT alias hangs on s_roots instead).
inline bool d_in_main_hash(const dentry* d) { return d->d_hashed && !IS_ROOT(d); }
inline bool d_is_dir(const dentry* d) { return d->d_inode && d->d_inode->dir; }

// ERR_PTR and friends, as in the kernel.
inline dentry* ERR_PTR(long err) { return reinterpret_cast<dentry*>(err); }
inline bool IS_ERR(const dentry* d) {
  return reinterpret_cast<uintptr_t>(d) >= static_cast<uintptr_t>(-4095);
}
inline long PTR_ERR(const dentry* d) { return static_cast<long>(reinterpret_cast<intptr_t>(d)); }

// dcache.c: allocation, references, the main hash.
dentry* dentry_create(int name);  // the bare object: no fault, no event (setup)
dentry* d_alloc(dentry* parent, int name);
dentry* d_alloc_anon();
void dget(dentry* d);
bool lockref_get_not_dead(dentry* d);
void dput(dentry* d);
// The RCU walk of the main hash: a match and its d_seq, no reference.
dentry* __d_lookup_rcu(dentry* parent, int name, unsigned* seq,
                       const char* caller = __builtin_FUNCTION());
dentry* __d_lookup(dentry* parent, int name);  // referenced; may miss under a rename
dentry* d_lookup(dentry* parent, int name);    // __d_lookup, a miss re-checked by rename_lock
inline bool read_seqcount_retry(const dentry* d, unsigned seq) { return d->d_seq != seq; }
void d_instantiate(dentry* d, inode* in);
void d_delete(dentry* d);
// Entered with in->i_lock held if `in` is not NULL; drops it.
void d_invalidate(dentry* d);  // a non-directory: unhashed (no children to shrink)
// The unused children of a directory on its way out (rmdir, a replaced
// rename target) are killed; the referenced ones stay.
void shrink_dcache_parent(dentry* parent);
void __d_add(dentry* d, inode* in);
void d_add(dentry* d, inode* in);
dentry* d_find_any_alias(inode* in);  // referenced, or NULL
dentry* d_obtain_alias(inode* in);

// dcache_lookup.cc: the in-lookup hash.
dentry* d_alloc_parallel(dentry* parent, int name, wait_queue_head* wq);
// v4 4/7: d_lookup, else d_alloc_parallel that returns ERR_PTR(-EWOULDBLOCK)
// where it would wait for another task's lookup of the name.
dentry* d_alloc_noblock(dentry* parent, int name, wait_queue_head* wq);
// v4 5/7: an in-lookup dentry of the same parent and name as `d`, a hashed
// positive dentry, made with no search (d_alloc_parallel never adds one
// beside a hashed dentry); ERR_PTR(-ENOMEM) if the allocation fails. `wq`:
// its waiters' queue without 2/7 (the series has 2/7 first; the model lets
// 5/7 compose without it), the caller's, as d_alloc_parallel's.
dentry* d_duplicate(dentry* d, wait_queue_head* wq);
void d_wait_lookup(dentry* d);
// `caller` ends the lookup (__d_add, __d_move, d_lookup_done): the
// lost-wakeup check names it.
wait_queue_head* __d_lookup_unhash(dentry* d, const char* caller = __builtin_FUNCTION());
// Patched: wakes the wait_var_event waiters of `d`. Mainline: wake_up_all(wq)
// (in the kernel, from end_dir_add and __d_lookup_unhash_wake).
void __d_wake_in_lookup_waiters(dentry* d, wait_queue_head* wq);
void d_lookup_done(dentry* d);
// The lost-wakeup check: PAR_LOOKUP cleared on `d` (remember its waiters),
// and the end of the d_lock section of `d` (those waiters must be awake).
void note_lookup_end(dentry* d, const char* function);
void check_lookup_end_woke(dentry* d);
unsigned start_dir_add(inode* dir);
void end_dir_add(inode* dir, unsigned n);

// dcache_move.cc: moving and splicing.
void __d_move(dentry* d, dentry* target, bool exchange = false);
void d_move(dentry* d, dentry* target);
void d_exchange(dentry* d1, dentry* d2);  // RENAME_EXCHANGE: the two swap parents and names
dentry* d_splice_alias(inode* in, dentry* d);
// shared: v4 7/7's argument, the ->lookup's LOOKUP_SHARED (v4 6/7); mainline
// has none and ignores it.
dentry* d_add_ci(dentry* d, inode* in, int name, bool shared);

// Helpers shared by the files above. d_set_inode and dentry_unlink_inode
// want in->i_lock and d->d_lock held; dentry_unlink_inode drops both.
void d_set_inode(dentry* d, inode* in);
void dentry_unlink_inode(dentry* d);
dentry* __d_find_any_alias(inode* in);  // under in->i_lock; referenced, or NULL
void __d_drop(dentry* d);
void __d_rehash(dentry* d);
int d_hash_bucket(const dentry* parent, int name);

}  // namespace dcfuzz::model
