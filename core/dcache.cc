// fs/dcache.c: allocation, references, the main hash, instantiation.
#include "core/dcache.h"

#include "core/bug.h"
#include "core/coherence.h"
#include "core/kernel_state.h"
#include "core/lockdep.h"
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
  might_sleep("__d_alloc", __func__);  // kmem_cache_alloc(GFP_KERNEL)
  if (kstate().host->should_fail_alloc(current().index)) {
    trace(EventKind::other, "kmalloc fails", nref(Obj::task, uint32_t(current().index)));
    return nullptr;
  }
  return dentry_create(name);
}

void dget_dlock(dentry* d) { ++d->d_count; }

// fast_dput's check: a put that finds the count at 0, or dead, is a put of a
// reference nobody had (dropped twice somewhere); the kernel warns and leaves
// the dentry alone. The model stops there: killing it again would free it
// twice. Out of libFuzzer's coverage: it never fires on a correct kernel, and
// its edges would only copy dput's counts into new features (a fixed-seed
// campaign keeps the corpus it made before).
__attribute__((noinline, no_sanitize("coverage"))) void check_put(const dentry* d) noexcept {
  if (d->d_count <= 0) kernel_warning("dput", "d_lockref.count <= 0", d);
}

// retain_dentry: a hashed dentry stays cached after its last reference,
// unless it is a file-handle alias ("Same if it's disconnected").
bool retain_dentry(const dentry* d) { return d->d_hashed && !(d->d_flags & DCACHE_DISCONNECTED); }

// With d->d_lock held, takes what killing `d` needs: its inode's i_lock and
// its parent's d_lock, by trylock (d_lock -> i_lock only ever is), else by
// dropping d->d_lock and taking them in order. kernel: dentry_kill's locking
// before 6.8, which 6.8 splits into lock_for_kill and __dentry_kill. False:
// `d` was found again meanwhile; the reference is dropped, all unlocked.
bool lock_for_kill(dentry* d, inode** inp, dentry** parentp) {
  inode* in = d->d_inode;
  dentry* parent = IS_ROOT(d) ? nullptr : d->d_parent;
  if (!in || spin_trylock(&in->i_lock)) {
    if (!parent || spin_trylock(&parent->d_lock)) {
      *inp = in;
      *parentp = parent;
      return true;
    }
    if (in) spin_unlock(&in->i_lock);
  }
  for (;;) {
    spin_unlock(&d->d_lock);
    if (in) spin_lock(&in->i_lock);
    while (parent) {  // __lock_parent: d_parent holds still once its d_lock is held
      spin_lock(&parent->d_lock);
      if (parent == d->d_parent) break;
      spin_unlock(&parent->d_lock);  // moved meanwhile: again
      parent = IS_ROOT(d) ? nullptr : d->d_parent;
    }
    if (parent) {
      spin_lock_nested(&d->d_lock, DENTRY_D_LOCK_NESTED);
    } else {
      spin_lock(&d->d_lock);
    }
    // The kernel's `d_lockref.count != 1`: more references, or (a put too
    // many meanwhile) none or dead -- not ours to kill; the count is dropped.
    const bool found_again = d->d_count != 1 || retain_dentry(d);
    if (found_again) --d->d_count;
    if (found_again || (d->d_inode == in && (IS_ROOT(d) ? nullptr : d->d_parent) == parent)) {
      if (found_again) spin_unlock(&d->d_lock);
      if (parent && found_again) spin_unlock(&parent->d_lock);
      if (in && found_again) spin_unlock(&in->i_lock);
      *inp = in;
      *parentp = parent;
      return !found_again;
    }
    if (parent) spin_unlock(&parent->d_lock);  // moved or instantiated meanwhile: again
    if (in) spin_unlock(&in->i_lock);
    in = d->d_inode;
    parent = IS_ROOT(d) ? nullptr : d->d_parent;
  }
}

// The last reference to a dentry not retained: unhash it, unlink its inode,
// drop the parent's reference (the parent is returned for the caller to put
// when that was the last). Entered with d->d_lock held.
dentry* __dentry_kill(dentry* d) {
  CALL_FRAME();
  inode* in = nullptr;
  dentry* parent = nullptr;
  if (!lock_for_kill(d, &in, &parent)) return nullptr;
  if (d->d_in_bucket) invariant_violation("in-lookup dentry freed", d);
  d->d_count = -128;  // dead: lockref_get_not_dead fails from now on
  __d_drop(d);        // a spliced file-handle alias dies hashed
  trace(EventKind::other, "free", dref(Obj::dentry, d));
  if (in) {
    dentry_unlink_inode(d);  // unlocks d->d_lock and in->i_lock
  } else {
    spin_unlock(&d->d_lock);
  }
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
  CALL_FRAME();
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
  CALL_FRAME();
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

// Every dput may sleep (mainline's might_sleep() on entry): the final one
// evicts (dentry_unlink_inode -> iput -> evict).
void dput(dentry* d) {
  CALL_FRAME();
  might_sleep(__func__, __func__);
  while (d) {
    d->d_lock.word.fetch_add(1);  // lockref_put_return
    if (d->d_lock.owner < 0 && d->d_count > 1) {
      --d->d_count;
      return;
    }
    spin_lock(&d->d_lock);
    check_put(d);
    // The superblock's s_root and the mount keep the root's count above 0;
    // a reference put twice somewhere takes it there, and the kernel's next
    // use of the (freed) root is KASAN's use-after-free. The model stops
    // here, before its own next walk reads the dentry it would free.
    if (d == kstate().root && d->d_count <= 1)
      invariant_violation("last reference to the root put", d);
    if (d->d_count > 1 || retain_dentry(d)) {
      --d->d_count;
      spin_unlock(&d->d_lock);
      return;
    }
    d = __dentry_kill(d);
  }
}

namespace {

// May the walk that read the chain head at hash_clock `start` have passed
// over `d` without seeing it? Yes if `d` was put at the head since, or if a
// dentry added after it to its chain was moved to another chain since: a
// walker standing on that one follows it away.
bool walk_may_miss(const dentry* d, int bucket, uint32_t start) {
  const KernelState& v = kstate();
  if (d->d_hash_stamp > start) return true;
  for (uint32_t k = 0; k < std::min<uint32_t>(v.nhash_moves, kHashMoves); ++k) {
    const HashMove& m = v.hash_moves[k];
    if (m.at > start && m.from == bucket && m.to != bucket && m.old_stamp > d->d_hash_stamp)
      return true;
  }
  return false;
}

// A dentry that had (parent, name) in this chain when the walk began and was
// moved since: the walk may have matched it before the move.
const HashMove* walk_stale_match(const dentry* parent, int name, int bucket, uint32_t start) {
  const KernelState& v = kstate();
  for (uint32_t k = 0; k < std::min<uint32_t>(v.nhash_moves, kHashMoves); ++k) {
    const HashMove& m = v.hash_moves[k];
    if (m.at > start && m.from == bucket && m.old_stamp <= start && m.old_parent == parent &&
        m.old_name == name)
      return &m;
  }
  return nullptr;
}

}  // namespace

// The walk reads the chain head, then walks while other tasks run (one
// scheduling decision stands for the whole walk), and compares at the end.
// What a concurrent __d_move can make it see is a choice of the schedule:
// a miss of an entry behind the moving dentry or added at the head
// meanwhile, or a match on a dentry that had the name before it moved (with
// its d_seq of then, which the caller's read_seqcount_retry catches).
dentry* __d_lookup_rcu(dentry* parent, int name, unsigned* seq, const char* caller) {
  KernelState& v = kstate();
  const int bucket = d_hash_bucket(parent, name);
  const uint32_t start = v.hash_clock;
  v.dentry_hashtable[bucket].load();  // hlist_bl_first_rcu, and the walk
  if (v.hash_clock != start) {
    if (const HashMove* m = walk_stale_match(parent, name, bucket, start)) {
      if (rl::rand(2)) {
        trace(EventKind::other, "RCU walk: match before move", dref(Obj::dentry, m->d), caller);
        *seq = m->old_seq;
        return m->d;
      }
    }
  }
  for (dentry* d : v.dentries) {
    if (!d_in_main_hash(d) || d->d_parent != parent || d->d_name != name) continue;
    if (v.hash_clock != start && walk_may_miss(d, bucket, start) && rl::rand(2)) {
      trace(EventKind::other, "RCU walk: miss", dref(Obj::dentry, d), caller);
      return nullptr;
    }
    *seq = d->d_seq & ~1u;  // raw_seqcount_begin
    return d;
  }
  return nullptr;
}

// The candidate is locked and checked again: a stale match is skipped (the
// rest of its chain is a miss: nothing else there has the name for long).
dentry* __d_lookup(dentry* parent, int name) {
  unsigned seq = 0;
  dentry* d = __d_lookup_rcu(parent, name, &seq);
  if (!d) return nullptr;
  spin_lock(&d->d_lock);
  bool same = d_in_main_hash(d) && d->d_parent == parent && d->d_name == name;
  if (same) dget_dlock(d);
  spin_unlock(&d->d_lock);
  return same ? d : nullptr;
}

dentry* d_lookup(dentry* parent, int name) {
  CALL_FRAME();
  seqcount_t* rename_seq = &kstate().rename_lock.seqcount;
  const bool retry = !kstate().plan->options.selftest_lookup_no_rename_retry;
  for (;;) {
    unsigned seq = read_seqbegin(rename_seq);
    if (dentry* d = __d_lookup(parent, name)) return d;
    if (!retry || !read_seqretry(rename_seq, seq)) return nullptr;
  }
}

// The d_seq write sections with no decision inside: begin and end at once.
void d_set_inode(dentry* d, inode* in) {
  in->i_dentry.push_back(d);  // hlist_add_head(&d->d_u.d_alias, &in->i_dentry)
  d->d_inode = in;
  d->d_seq += 2;  // raw_write_seqcount_begin, __d_set_inode_and_type, ..._end
  note_dentry_change(d);
}

// Entered with d->d_lock and its inode's i_lock held; drops both (then iput,
// a no-op here: inodes live until the execution ends).
void dentry_unlink_inode(dentry* d) {
  inode* in = d->d_inode;
  d->d_seq += 2;  // raw_write_seqcount_begin, __d_clear_type_and_inode, ..._end
  d->d_inode = nullptr;
  note_dentry_change(d);
  std::vector<dentry*>& aliases = in->i_dentry;
  aliases.erase(std::remove(aliases.begin(), aliases.end(), d), aliases.end());
  spin_unlock(&d->d_lock);
  spin_unlock(&in->i_lock);
}

void __d_drop(dentry* d) {
  if (!d->d_hashed) return;
  d->d_hashed = false;
  d->d_seq += 2;  // write_seqcount_invalidate
  trace(EventKind::state, "unhash", dref(Obj::dentry, d));
}

void __d_rehash(dentry* d) {
  d->d_hashed = true;
  d->d_hash_stamp = ++kstate().hash_clock;
  note_dentry_change(d);
  trace(EventKind::state, "hash", dref(Obj::dentry, d));
}

namespace {

void __d_instantiate(dentry* d, inode* in, const char* caller = __builtin_FUNCTION()) {
  // fs/dcache.c __d_instantiate: WARN_ON(d_in_lookup(dentry))
  if (d_in_lookup(d)) kernel_warning(__func__, "d_in_lookup(dentry)", d);
  spin_lock(&d->d_lock, caller);
  d_set_inode(d, in);
  spin_unlock(&d->d_lock, caller);
}

}  // namespace

void d_instantiate(dentry* d, inode* in) {
  CALL_FRAME();
  // fs/dcache.c d_instantiate: BUG_ON(!hlist_unhashed(&entry->d_u.d_alias))
  if (d->d_inode) kernel_bug(__func__, "!hlist_unhashed(&entry->d_u.d_alias)", d);
  if (!in) return;
  spin_lock(&in->i_lock);
  __d_instantiate(d, in);
  spin_unlock(&in->i_lock);
}

namespace {

// d_delete's `dentry->d_inode`, which its callers know positive. A put too
// many killed the dentry under them (dentry_unlink_inode left it negative):
// the kernel's spin_lock(&inode->i_lock) dereferences NULL. Out of libFuzzer's
// coverage, as check_put; d_inode_held only when NULL, since its edges (in
// core/bug.cc) count every call.
__attribute__((noinline, no_sanitize("coverage"))) inode* inode_of_deleted(
    const dentry* d) noexcept {
  return d->d_inode ? d->d_inode : d_inode_held(d, "d_delete");
}

}  // namespace

void d_delete(dentry* d) {
  CALL_FRAME();
  inode* in = inode_of_deleted(d);
  spin_lock(&in->i_lock);
  spin_lock(&d->d_lock);
  if (d->d_count == 1 || kstate().plan->options.selftest_delete_held) {
    dentry_unlink_inode(d);  // stays hashed, negative
    return;
  }
  __d_drop(d);
  spin_unlock(&d->d_lock);
  spin_unlock(&in->i_lock);
}

// kernel: shrink_dcache_parent -- d_walk with select_collect, then
// shrink_dentry_list. Each child nobody holds is unhashed under its d_lock and
// killed by the put of a reference taken for it; a held one (a walk's, an
// in-lookup one) stays, as in the kernel. The model looks at the children
// only: below a rmdir victim, empty on disk, a grandchild hangs from a child
// that its reference keeps.
void shrink_dcache_parent(dentry* parent) {
  CALL_FRAME();
  for (;;) {
    dentry* victim = nullptr;
    spin_lock(&parent->d_lock);
    for (dentry* d : kstate().dentries) {
      if (d != parent && d->d_parent == parent && d->d_count == 0) {
        victim = d;
        break;
      }
    }
    if (!victim) {
      spin_unlock(&parent->d_lock);
      return;
    }
    spin_lock_nested(&victim->d_lock, DENTRY_D_LOCK_NESTED);
    const bool unused = victim->d_count == 0;  // not found again meanwhile
    if (unused) {
      __d_drop(victim);
      dget_dlock(victim);
    }
    spin_unlock(&victim->d_lock);
    spin_unlock(&parent->d_lock);
    if (unused) dput(victim);
  }
}

void d_invalidate(dentry* d) {
  spin_lock(&d->d_lock);
  __d_drop(d);
  spin_unlock(&d->d_lock);
}

void __d_add(dentry* d, inode* in) {
  CALL_FRAME();
  inode* dir = nullptr;
  unsigned n = 0;
  wait_queue_head* wq = nullptr;
  spin_lock(&d->d_lock);
  if (d_in_lookup(d)) {
    dir = d_inode_of_dir(d->d_parent);
    n = start_dir_add(dir);
    wq = __d_lookup_unhash(d);
  }
  if (patches().splice_hashed) {
    // v4 3/7: a hashed dentry stays where it is (mainline would add it to
    // its chain twice); the patch hashes before __d_instantiate, all under
    // d_lock with no decision between.
    if (d_unhashed(d)) __d_rehash(d);
    if (in) d_set_inode(d, in);
  } else {
    if (in) d_set_inode(d, in);
    __d_rehash(d);
  }
  if (dir) {
    const bool wake_inside = kstate().plan->options.selftest_wake_in_dir_add;
    if (wake_inside) __d_wake_in_lookup_waiters(d, wq);  // ModelOptions self-test
    end_dir_add(dir, n);
    if (!wake_inside) __d_wake_in_lookup_waiters(d, wq);
  }
  spin_unlock(&d->d_lock);
  if (in) spin_unlock(&in->i_lock);
}

void d_add(dentry* d, inode* in) {
  if (in) spin_lock(&in->i_lock);
  __d_add(d, in);
}

// An alias on i_dentry is never dead (its killer unlinks it under i_lock
// first), so the reference is lockref_get's, which cannot fail.
dentry* __d_find_any_alias(inode* in) {
  if (in->i_dentry.empty()) return nullptr;
  dentry* alias = in->i_dentry.front();
  if (!lockref_get_not_dead(alias)) invariant_violation("dead dentry on i_dentry", alias);
  return alias;
}

dentry* d_find_any_alias(inode* in) {
  spin_lock(&in->i_lock);
  dentry* alias = __d_find_any_alias(in);
  spin_unlock(&in->i_lock);
  return alias;
}

// A file-handle alias: IS_ROOT, DCACHE_DISCONNECTED, in no hash (only
// d_obtain_root puts its alias on sb->s_roots), alive while referenced.
dentry* d_obtain_alias(inode* in) {
  CALL_FRAME();
  if (dentry* alias = d_find_any_alias(in)) return alias;
  dentry* nw = d_alloc_anon();
  if (!nw) return ERR_PTR(-ENOMEM);
  spin_lock(&in->i_lock);
  dentry* res = nullptr;
  if (!kstate().plan->options.selftest_obtain_alias_no_recheck) res = __d_find_any_alias(in);
  if (res) {
    spin_unlock(&in->i_lock);
    dput(nw);
    return res;
  }
  spin_lock(&nw->d_lock);
  d_set_inode(nw, in);
  nw->d_flags |= DCACHE_DISCONNECTED;
  spin_unlock(&nw->d_lock);
  spin_unlock(&in->i_lock);
  trace(EventKind::state, "d_obtain_alias", dref(Obj::dentry, nw));
  return nw;
}

}  // namespace dcfuzz::model
