// fs/dcache.c, moving and splicing: __d_move, d_move, d_splice_alias and
// d_add_ci, where the two bugs of the v4 series live.
#include "core/bug.h"
#include "core/coherence.h"
#include "core/dcache.h"
#include "core/events.h"
#include "core/kernel_state.h"
#include "core/lockdep.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

bool is_ancestor(const dentry* a, const dentry* d) {
  for (; !IS_ROOT(d); d = d->d_parent)
    if (d->d_parent == a) return true;
  return false;
}

// The parents' d_lock (ancestor first), then dentry's, then target's, with
// __d_move's lockdep subclasses (DENTRY_D_LOCK_NESTED, 2, 3).
// kernel: the locking at the head of __d_move; its events are __d_move's.
void lock_for_move(dentry* d, dentry* target, dentry* old_parent, const char* caller) {
  dentry* new_parent = target->d_parent;
  if (IS_ROOT(d) || old_parent == new_parent) {
    spin_lock(&new_parent->d_lock, caller);
  } else if (is_ancestor(old_parent, new_parent)) {
    spin_lock(&old_parent->d_lock, caller);
    spin_lock_nested(&new_parent->d_lock, DENTRY_D_LOCK_NESTED, caller);
  } else {
    spin_lock(&new_parent->d_lock, caller);
    spin_lock_nested(&old_parent->d_lock, DENTRY_D_LOCK_NESTED, caller);
  }
  spin_lock_nested(&d->d_lock, 2, caller);
  spin_lock_nested(&target->d_lock, 3, caller);
}

// kernel: the unlocking at the end of __d_move.
void unlock_after_move(dentry* d, dentry* target, dentry* old_parent, const char* caller) {
  if (d->d_parent != old_parent) spin_unlock(&d->d_parent->d_lock, caller);
  if (d != old_parent) spin_unlock(&old_parent->d_lock, caller);
  spin_unlock(&target->d_lock, caller);
  spin_unlock(&d->d_lock, caller);
}

// dentry takes target's parent and name; the parent references follow.
void switch_parent(dentry* d, dentry* target, dentry* old_parent) {
  d->d_parent = target->d_parent;
  d->d_name = target->d_name;
  note_dentry_change(d);
  ++d->d_parent->d_count;  // under its d_lock
  if (d != old_parent) --old_parent->d_count;
}

// The parent lock d_add_ci drops (v4 7/7) and takes again, held as the
// caller holds it. Part of d_add_ci in the series; the events are its.
// Returns the lockdep subclass the caller held it with: the re-lock uses it
// (rename holds two parents as I_MUTEX_PARENT and I_MUTEX_PARENT2; which
// annotation the series' re-lock has is not known here, and this one makes
// lockdep report nothing the caller's own locking would not).
int unlock_parent(inode* dir, bool shared, const char* caller = __builtin_FUNCTION()) {
  const int subclass = lockdep_held_subclass(dir->i_rwsem.meta);
  if (shared) {
    inode_unlock_shared(dir, caller);
  } else {
    inode_unlock(dir, caller);
  }
  return subclass;
}

void relock_parent(inode* dir, bool shared, int subclass,
                   const char* caller = __builtin_FUNCTION()) {
  if (shared) {
    inode_lock_shared(dir, caller);
  } else if (subclass) {
    inode_lock_nested(dir, subclass, caller);
  } else {
    inode_lock(dir, caller);
  }
}

// An early return of d_add_ci (`which`: one of the kAddCiReturn events):
// v4 7/7 leaves the parent unlocked here, and says so in the trace.
dentry* early_return(dentry* result, inode* dir, bool shared, int subclass, const char* which,
                     const char* caller = __builtin_FUNCTION()) {
  if (!patches().add_ci_drops_lock) return result;
  if (patches().add_ci_early_return_unlocked) {
    trace(EventKind::other, which, iref(Obj::i_rwsem, dir), caller);
  } else {
    relock_parent(dir, shared, subclass, caller);
  }
  return result;
}

}  // namespace

namespace {

// The move of a hashed `d`, for the RCU walks it may mislead.
void log_hash_move(dentry* d, const dentry* old_parent, int old_name, unsigned old_seq,
                   uint32_t old_stamp) {
  KernelState& v = kstate();
  HashMove& m = v.hash_moves[v.nhash_moves++ % kHashMoves];
  m = HashMove{d,
               old_parent,
               old_name,
               old_seq,
               d_hash_bucket(old_parent, old_name),
               d_hash_bucket(d->d_parent, d->d_name),
               old_stamp,
               v.hash_clock};
}

}  // namespace

void __d_move(dentry* d, dentry* target, bool exchange) {
  CALL_FRAME();
  dentry* old_parent = d->d_parent;
  inode* dir = nullptr;
  unsigned n = 0;
  wait_queue_head* wq = nullptr;
  lock_for_move(d, target, old_parent, __func__);
  if (d_in_lookup(d)) invariant_violation("moved dentry in lookup", d);
  if (d_in_lookup(target)) {  // only target can be in lookup
    dir = d_inode_of_dir(target->d_parent);
    n = start_dir_add(dir);
    wq = __d_lookup_unhash(target);
  }
  // write_seqcount_begin(&dentry->d_seq), and target's: nothing between
  // them and their ends is a decision, so each is one step here.
  const unsigned old_seq = d->d_seq;
  const bool was_hashed = d_in_main_hash(d);
  const int old_name = d->d_name;
  const uint32_t old_stamp = d->d_hash_stamp;
  const unsigned target_seq = target->d_seq;
  const bool target_hashed = d_in_main_hash(target);
  const int target_name = target->d_name;
  const uint32_t target_stamp = target->d_hash_stamp;
  d->d_seq += 2;
  target->d_seq += 2;
  __d_drop(d);
  __d_drop(target);
  if (!exchange) {
    switch_parent(d, target, old_parent);
  } else {  // swap_names: each takes the other's place; the parents' counts stay
    d->d_parent = target->d_parent;
    d->d_name = target_name;
    target->d_parent = old_parent;
    target->d_name = old_name;
    note_dentry_change(d);
    note_dentry_change(target);
    __d_rehash(target);
    if (target_hashed) log_hash_move(target, d->d_parent, target_name, target_seq, target_stamp);
  }
  __d_rehash(d);
  if (was_hashed) log_hash_move(d, old_parent, old_name, old_seq, old_stamp);
  trace(EventKind::state, "__d_move", dref(Obj::dentry, d));
  if (dir) {
    end_dir_add(dir, n);
    // v4 2/7 wakes the waiters of `dentry`, which has none, instead of target's.
    __d_wake_in_lookup_waiters(patches().move_wakes_dentry ? d : target, wq);
  }
  unlock_after_move(d, target, old_parent, __func__);
}

void d_move(dentry* d, dentry* target) {
  CALL_FRAME();
  write_seqlock(&kstate().rename_lock);
  __d_move(d, target);
  write_sequnlock(&kstate().rename_lock);
}

// WARN_ONs of d_exchange: both positive, neither IS_ROOT.
void d_exchange(dentry* d1, dentry* d2) {
  CALL_FRAME();
  if (!d1->d_inode || !d2->d_inode) kernel_warning(__func__, "!dentry->d_inode", d1);
  if (IS_ROOT(d1) || IS_ROOT(d2)) kernel_warning(__func__, "IS_ROOT(dentry)", d1);
  write_seqlock(&kstate().rename_lock);
  __d_move(d1, d2, true);
  write_sequnlock(&kstate().rename_lock);
}

namespace {

// A connected alias elsewhere (a remotely renamed directory) moves only if
// the locks a rename would hold can be had without waiting: rename_lock is a
// spinlock, held. Called with the caller's lock on d's parent.
int __d_unalias(dentry* d, dentry* alias) {
  rw_semaphore* m1 = nullptr;
  rw_semaphore* m2 = nullptr;
  int ret = -ESTALE;
  if (alias->d_parent != d->d_parent) {
    if (!mutex_trylock(&kstate().s_vfs_rename_mutex)) goto out_err;  // see lock_rename()
    m1 = &kstate().s_vfs_rename_mutex;
    inode* dir = d_inode_of_dir(alias->d_parent);
    if (!inode_trylock_shared(dir)) goto out_err;
    m2 = &dir->i_rwsem;
  }
  __d_move(alias, d);
  ret = 0;
out_err:
  if (m2) up_read(m2, "up_read");
  if (m1) mutex_unlock(m1);
  return ret;
}

}  // namespace

dentry* d_splice_alias(inode* in, dentry* d) {
  CALL_FRAME();
  // fs/dcache.c d_splice_alias: BUG_ON(!d_unhashed(dentry)) (an in-lookup
  // dentry is unhashed: ->lookup's own). v4 3/7 takes a hashed negative
  // dentry too: BUG_ON(d_really_is_positive(dentry)), and __d_add keeps it
  // hashed where it is.
  if (patches().splice_hashed) {
    if (d->d_inode) kernel_bug(__func__, "d_really_is_positive(dentry)", d);
  } else if (!d_unhashed(d)) {
    kernel_bug(__func__, "!d_unhashed(dentry)", d);
  }
  if (!in) {
    __d_add(d, nullptr);
    return nullptr;
  }
  // Self-test of the coherence check: a second alias of a directory.
  const bool selftest =
      kstate().plan->options.selftest_incoherence == SelftestIncoherence::splice_second_alias;
  spin_lock(&in->i_lock);
  if (in->dir && !selftest) {
    if (dentry* alias = __d_find_any_alias(in)) {
      // The reference to alias keeps it an alias.
      spin_unlock(&in->i_lock);
      write_seqlock(&kstate().rename_lock);
      if (is_ancestor(alias, d)) {  // d_ancestor(new, dentry): a loop
        write_sequnlock(&kstate().rename_lock);
        trace(EventKind::other, "would have caused loop: -ELOOP", dref(Obj::dentry, alias));
        dput(alias);
        return ERR_PTR(-ELOOP);
      }
      if (!IS_ROOT(alias)) {
        dentry* old_parent = alias->d_parent;
        dget(old_parent);
        int err = __d_unalias(d, alias);
        write_sequnlock(&kstate().rename_lock);
        if (err) {
          trace(EventKind::other, "__d_unalias: -ESTALE", dref(Obj::dentry, alias));
          dput(alias);
          alias = ERR_PTR(err);
        }
        dput(old_parent);
      } else {
        __d_move(alias, d);
        write_sequnlock(&kstate().rename_lock);
      }
      return alias;
    }
  }
  __d_add(d, in);  // drops in->i_lock
  return nullptr;
}

dentry* d_add_ci(dentry* d, inode* in, int name, bool shared) {
  CALL_FRAME();
  dentry* parent = d->d_parent;
  inode* dir = parent->d_inode;
  dentry* found = d_lookup(parent, name);  // d_hash_and_lookup
  if (found) return found;
  const bool drop = patches().add_ci_drops_lock;
  // v4 7/7: no parent lock around d_alloc_parallel / d_alloc
  const int subclass = drop ? unlock_parent(dir, shared) : 0;
  if (d_in_lookup(d)) {
    found = d_alloc_parallel(parent, name, d->d_wait);
    if (IS_ERR(found)) return early_return(found, dir, shared, subclass, kAddCiReturnParallelError);
    if (!d_in_lookup(found))
      return early_return(found, dir, shared, subclass, kAddCiReturnNotInLookup);
  } else {
    found = d_alloc(parent, name);
    if (!found)
      return early_return(ERR_PTR(-ENOMEM), dir, shared, subclass, kAddCiReturnAllocError);
  }
  if (drop) relock_parent(dir, shared, subclass);
  dentry* res = d_splice_alias(in, found);
  if (res) {
    d_lookup_done(found);
    dput(found);
    return res;
  }
  return found;
}

}  // namespace dcfuzz::model
