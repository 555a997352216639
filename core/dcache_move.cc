// fs/dcache.c, moving and splicing: __d_move, d_move, d_splice_alias and
// d_add_ci, where the two bugs of the v4 series live.
#include "core/bug.h"
#include "core/coherence.h"
#include "core/dcache.h"
#include "core/events.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

bool is_ancestor(const dentry* a, const dentry* d) {
  for (; !IS_ROOT(d); d = d->d_parent)
    if (d->d_parent == a) return true;
  return false;
}

// The parents' d_lock (ancestor first), then dentry's, then target's.
// kernel: the locking at the head of __d_move; its events are __d_move's.
void lock_for_move(dentry* d, dentry* target, dentry* old_parent, const char* caller) {
  dentry* new_parent = target->d_parent;
  if (IS_ROOT(d) || old_parent == new_parent) {
    spin_lock(&new_parent->d_lock, caller);
  } else if (is_ancestor(old_parent, new_parent)) {
    spin_lock(&old_parent->d_lock, caller);
    spin_lock(&new_parent->d_lock, caller);
  } else {
    spin_lock(&new_parent->d_lock, caller);
    spin_lock(&old_parent->d_lock, caller);
  }
  spin_lock(&d->d_lock, caller);
  spin_lock(&target->d_lock, caller);
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
void unlock_parent(inode* dir, unsigned flags, const char* caller = __builtin_FUNCTION()) {
  if (flags & LOOKUP_SHARED) {
    inode_unlock_shared(dir, caller);
  } else {
    inode_unlock(dir, caller);
  }
}

void relock_parent(inode* dir, unsigned flags, const char* caller = __builtin_FUNCTION()) {
  if (flags & LOOKUP_SHARED) {
    inode_lock_shared(dir, caller);
  } else {
    inode_lock(dir, caller);
  }
}

// An early return of d_add_ci (`which`: one of the kAddCiReturn events):
// v4 7/7 leaves the parent unlocked here, and says so in the trace.
dentry* early_return(dentry* result, inode* dir, unsigned flags, const char* which,
                     const char* caller = __builtin_FUNCTION()) {
  if (!patches().add_ci_drops_lock) return result;
  if (patches().add_ci_early_return_unlocked) {
    trace(EventKind::other, which, iref(Obj::i_rwsem, dir), caller);
  } else {
    relock_parent(dir, flags, caller);
  }
  return result;
}

}  // namespace

void __d_move(dentry* d, dentry* target) {
  dentry* old_parent = d->d_parent;
  inode* dir = nullptr;
  unsigned n = 0;
  wait_queue_head* wq = nullptr;
  lock_for_move(d, target, old_parent, __func__);
  if (d_in_lookup(d)) invariant_violation("moved dentry in lookup", d);
  if (d_in_lookup(target)) {  // only target can be in lookup
    dir = target->d_parent->d_inode;
    n = start_dir_add(dir);
    wq = __d_lookup_unhash(target);
  }
  __d_drop(d);
  __d_drop(target);
  switch_parent(d, target, old_parent);
  __d_rehash(d);
  trace(EventKind::state, "__d_move", dref(Obj::dentry, d));
  if (dir) {
    end_dir_add(dir, n);
    // v4 2/7 wakes the waiters of `dentry`, which has none, instead of target's.
    __d_wake_in_lookup_waiters(patches().move_wakes_dentry ? d : target, wq);
  }
  unlock_after_move(d, target, old_parent, __func__);
}

void d_move(dentry* d, dentry* target) {
  write_seqlock(&kstate().rename_lock);
  __d_move(d, target);
  write_sequnlock(&kstate().rename_lock);
}

dentry* d_splice_alias(inode* in, dentry* d) {
  const bool selftest =
      kstate().plan->options.selftest_incoherence == SelftestIncoherence::splice_second_alias;
  if (in && in->dir && !selftest) {
    if (dentry* alias = d_find_any_alias(in)) {
      // A connected alias would go through __d_unalias; with no hard-linked
      // directories it moves the same way, so both take __d_move here.
      write_seqlock(&kstate().rename_lock);
      __d_move(alias, d);
      write_sequnlock(&kstate().rename_lock);
      return alias;
    }
    in->i_lock_owner = current().index;  // none: i_lock held on until __d_add adds d
  }
  __d_add(d, in);
  return nullptr;
}

dentry* d_add_ci(dentry* d, inode* in, int name, unsigned flags) {
  dentry* parent = d->d_parent;
  inode* dir = parent->d_inode;
  dentry* found = d_lookup(parent, name);  // d_hash_and_lookup
  if (found) return found;
  const bool drop = patches().add_ci_drops_lock;
  if (drop) unlock_parent(dir, flags);  // v4 7/7: no parent lock around d_alloc_parallel / d_alloc
  if (d_in_lookup(d)) {
    found = d_alloc_parallel(parent, name, d->d_wait);
    if (IS_ERR(found)) return early_return(found, dir, flags, kAddCiReturnParallelError);
    if (!d_in_lookup(found)) return early_return(found, dir, flags, kAddCiReturnNotInLookup);
  } else {
    found = d_alloc(parent, name);
    if (!found) return early_return(ERR_PTR(-ENOMEM), dir, flags, kAddCiReturnAllocError);
  }
  if (drop) relock_parent(dir, flags);
  dentry* res = d_splice_alias(in, found);
  if (res) {
    d_lookup_done(found);
    dput(found);
    return res;
  }
  return found;
}

}  // namespace dcfuzz::model
