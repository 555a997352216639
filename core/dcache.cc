// fs/dcache.c: allocation, references, the main hash, instantiation.
#include "core/dcache.h"

#include "core/bug.h"
#include "core/coherence.h"
#include "core/kernel_state.h"
#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

dentry* dentry_create(int name) {
  KernelState& v = kstate();
  dentry* d = new dentry;
  d->d_no = v.next_dentry++;
  d->d_name = name;
  d->d_parent = d;
  d->d_lock.meta = LockMeta{dref(Obj::d_lock, d), LockRank::d_lock};
  v.dentries.push_back(d);
  return d;
}

namespace {

// __d_alloc's kmalloc, which the schedule may make fail.
dentry* __d_alloc(int name) {
  if (kstate().host->should_fail_alloc(current().index)) {
    trace(EventKind::other, "kmalloc fails", nref(Obj::task, uint32_t(current().index)));
    return nullptr;
  }
  return dentry_create(name);
}

void dget_dlock(dentry* d) { ++d->d_count; }

// Takes the parent's d_lock with d->d_lock held, dropping and re-taking
// d->d_lock if it must wait (kernel: lock_for_kill; this is the parent's
// half, as the older lock_parent did). False: `d` was found again meanwhile,
// the reference is dropped and both are unlocked.
bool lock_for_kill(dentry* d, dentry* parent) {
  if (!parent || spin_trylock(&parent->d_lock)) return true;
  spin_unlock(&d->d_lock);
  spin_lock(&parent->d_lock);
  spin_lock(&d->d_lock);
  if (d->d_count > 1 || d->d_hashed) {  // found again meanwhile
    --d->d_count;
    spin_unlock(&d->d_lock);
    spin_unlock(&parent->d_lock);
    return false;
  }
  return true;
}

// The last reference to an unhashed dentry: unlink it and drop the parent's
// reference (returned for the caller to put). Entered with d->d_lock held.
dentry* __dentry_kill(dentry* d) {
  dentry* parent = IS_ROOT(d) ? nullptr : d->d_parent;
  if (!lock_for_kill(d, parent)) return nullptr;
  if (d->d_in_bucket) invariant_violation("in-lookup dentry freed", d);
  d->d_count = -128;  // dead: lockref_get_not_dead fails from now on
  if (d->d_inode) d_clear_inode(d);
  trace(EventKind::other, "free", dref(Obj::dentry, d));
  spin_unlock(&d->d_lock);
  // Freed after RCU: the memory stays until the execution ends (after()).
  std::vector<dentry*>& live = kstate().dentries;
  live.erase(std::find(live.begin(), live.end(), d));
  kstate().dead.push_back(d);
  if (!parent) return nullptr;
  bool last = parent->d_count == 1;
  if (!last) --parent->d_count;
  spin_unlock(&parent->d_lock);
  return last ? parent : nullptr;
}

}  // namespace

dentry* d_alloc(dentry* parent, int name) {
  dentry* d = __d_alloc(name);
  if (!d) return nullptr;
  spinlock_t* inversion = nullptr;  // ModelOptions::selftest_lock_inversion
  if (kstate().plan->options.selftest_lock_inversion) inversion = &kstate().in_lookup_hashtable[0];
  if (inversion) spin_lock(inversion);
  spin_lock(&parent->d_lock);
  dget_dlock(parent);
  d->d_parent = parent;
  spin_unlock(&parent->d_lock);
  if (inversion) spin_unlock(inversion);
  trace(EventKind::other, "d_alloc", dref(Obj::dentry, d));
  return d;
}

dentry* d_alloc_anon() { return __d_alloc(0); }

bool lockref_get_not_dead(dentry* d) {
  d->d_lock.word.fetch_add(1);  // lockref's cmpxchg
  if (d->d_lock.owner < 0 || spin_is_held_by_me(&d->d_lock)) {
    if (d->d_count < 0) return false;
    dget_dlock(d);
    return true;
  }
  spin_lock(&d->d_lock);  // locked: lockref's slow path
  bool alive = d->d_count >= 0;
  if (alive) dget_dlock(d);
  spin_unlock(&d->d_lock);
  return alive;
}

void dget(dentry* d) {
  if (!lockref_get_not_dead(d)) invariant_violation("dget of a dead dentry", d);
}

void dput(dentry* d) {
  while (d) {
    d->d_lock.word.fetch_add(1);  // lockref_put_return
    if (d->d_lock.owner < 0 && d->d_count > 1) {
      --d->d_count;
      return;
    }
    spin_lock(&d->d_lock);
    if (d->d_count > 1 || d->d_hashed) {  // retain_dentry: hashed ones stay cached
      --d->d_count;
      spin_unlock(&d->d_lock);
      return;
    }
    d = __dentry_kill(d);
  }
}

dentry* __d_lookup(dentry* parent, int name) {
  for (dentry* d : kstate().dentries) {
    if (d_in_main_hash(d) && d->d_parent == parent && d->d_name == name) return d;
  }
  return nullptr;
}

dentry* d_lookup(dentry* parent, int name) {
  seqcount_t* rename_seq = &kstate().rename_lock.seqcount;
  for (;;) {
    unsigned seq = read_seqbegin(rename_seq);
    if (dentry* d = __d_lookup(parent, name)) {
      spin_lock(&d->d_lock);
      bool same = d_in_main_hash(d) && d->d_parent == parent && d->d_name == name;
      if (same) dget_dlock(d);
      spin_unlock(&d->d_lock);
      if (same) return d;
    }
    if (!read_seqretry(rename_seq, seq)) return nullptr;
  }
}

// inode->i_lock is not taken here: alias-list updates happen between two
// scheduling decisions, so they are atomic in the model.
void d_set_inode(dentry* d, inode* in) {
  d->d_inode = in;
  in->i_dentry.push_back(d);
  note_dentry_change(d);
}

void d_clear_inode(dentry* d) {
  std::vector<dentry*>& aliases = d->d_inode->i_dentry;
  aliases.erase(std::remove(aliases.begin(), aliases.end(), d), aliases.end());
  d->d_inode = nullptr;
  note_dentry_change(d);
}

void __d_drop(dentry* d) {
  if (!d->d_hashed) return;
  d->d_hashed = false;
  trace(EventKind::state, "unhash", dref(Obj::dentry, d));
}

void __d_rehash(dentry* d) {
  d->d_hashed = true;
  note_dentry_change(d);
  trace(EventKind::state, "hash", dref(Obj::dentry, d));
}

void d_instantiate(dentry* d, inode* in) {
  spin_lock(&d->d_lock);
  d_set_inode(d, in);
  spin_unlock(&d->d_lock);
}

void d_delete(dentry* d) {
  spin_lock(&d->d_lock);
  if (d->d_count == 1) {
    d_clear_inode(d);  // dentry_unlink_inode: stays hashed, negative
  } else {
    __d_drop(d);
  }
  spin_unlock(&d->d_lock);
}

void d_invalidate(dentry* d) {
  spin_lock(&d->d_lock);
  __d_drop(d);
  spin_unlock(&d->d_lock);
}

void __d_add(dentry* d, inode* in) {
  inode* dir = nullptr;
  unsigned n = 0;
  wait_queue_head* wq = nullptr;
  spin_lock(&d->d_lock);
  if (d_in_lookup(d)) {
    dir = d->d_parent->d_inode;
    n = start_dir_add(dir);
    wq = __d_lookup_unhash(d);
  }
  if (in) d_set_inode(d, in);
  if (in && in->i_lock_owner == current().index) {  // d_splice_alias's i_lock
    in->i_lock_owner = -1;
    while (in->i_lock_waiters.count > 0) wake_task(in->i_lock_waiters.pop());
  }
  __d_rehash(d);
  if (dir) {
    end_dir_add(dir, n);
    __d_wake_in_lookup_waiters(d, wq);
  }
  spin_unlock(&d->d_lock);
}

namespace {

// Any alias of `in`, referenced. lockref_get_not_dead is a scheduling
// decision, so the alias list is read again after a failed attempt.
dentry* __d_find_any_alias(inode* in) {
  while (!in->i_dentry.empty()) {
    dentry* alias = in->i_dentry.front();
    if (lockref_get_not_dead(alias)) return alias;
  }
  return nullptr;
}

}  // namespace

dentry* d_find_any_alias(inode* in) { return __d_find_any_alias(in); }

dentry* d_obtain_alias(inode* in) {
  while (in->i_lock_owner >= 0) {  // spin_lock(&inode->i_lock), held by a d_splice_alias
    in->i_lock_waiters.push(current().index);
    prepare_to_wait(WaitSite{__func__, "spin_lock", iref(Obj::i_lock, in), false});
    schedule_wait();
  }
  if (dentry* alias = __d_find_any_alias(in)) return alias;
  dentry* tmp = d_alloc_anon();
  if (!tmp) return ERR_PTR(-ENOMEM);
  // No decision since the search: the kernel's re-check under i_lock is moot.
  tmp->d_flags |= DCACHE_DISCONNECTED;
  d_set_inode(tmp, in);
  tmp->d_hashed = true;  // on sb->s_roots
  trace(EventKind::state, "hash s_roots", dref(Obj::dentry, tmp));
  return tmp;
}

}  // namespace dcfuzz::model
