// fs/namei.c: the path walk and the lookups that create in-lookup dentries.
#include "core/namei.h"

#include "core/bug.h"
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/plan.h"

namespace dcfuzz::model {

// DCACHE_OP_REVALIDATE: only the nfs kind has ->d_revalidate. It never
// fails with an error in the model: 1 valid, 0 stale.
int d_revalidate(inode* dir, int name, dentry* d, unsigned flags) {
  if (kstate().plan->scenario.fs != FsKind::nfs) return 1;
  if (kstate().plan->options.selftest_no_revalidate) return 1;  // ModelOptions self-test
  return nfs_lookup_revalidate(dir, name, d, flags);
}

// The ref-walk form of the RCU walk: a miss (also one a rename caused) goes to
// lookup_slow, and so does a dentry ->d_revalidate found stale, once
// d_invalidate unhashed it.
dentry* lookup_fast(int name, dentry* dir) {
  CALL_FRAME();
  dentry* d = __d_lookup(dir, name);
  if (!d) return nullptr;
  if (d_revalidate(d_inode_of_dir(dir), name, d, 0) > 0) return d;
  d_invalidate(d);
  dput(d);
  return nullptr;
}

namespace {

// The parent held shared around ->lookup alone, and found not dead under it
// ("lift": lookup_slow, lookup_one_qstr and lookup_open no longer hold it).
dentry* lookup_locked_shared(inode* dir, dentry* d, unsigned flags,
                             const char* caller = __builtin_FUNCTION()) {
  inode_lock_shared(dir, caller);
  dentry* old = dir->dead ? ERR_PTR(-ENOENT) : fs_lookup(dir, d, flags, caller);
  inode_unlock_shared(dir, caller);
  return old;
}

dentry* __lookup_slow(int name, dentry* dir, unsigned flags, wait_queue_head* wq) {
  CALL_FRAME();
  if (d_inode_of_dir(dir)->dead) return ERR_PTR(-ENOENT);  // don't go there if it's already dead
  dentry* d;
  for (;;) {  // again:
    d = d_alloc_parallel(dir, name, wq);
    if (IS_ERR(d) || d_in_lookup(d)) break;
    if (d_revalidate(d_inode_of_dir(dir), name, d, flags) > 0) return d;
    d_invalidate(d);
    dput(d);
  }
  if (IS_ERR(d)) return d;
  dentry* old = patches().lift ? lookup_locked_shared(d_inode_of_dir(dir), d, flags)
                               : fs_lookup(d_inode_of_dir(dir), d, flags);
  d_lookup_done(d);
  if (old) {
    dput(d);
    d = old;
  }
  return d;
}

}  // namespace

dentry* lookup_slow(int name, dentry* dir, unsigned flags) {
  CALL_FRAME();
  inode* in = d_inode_of_dir(dir);
  wait_queue_head wq;  // DECLARE_WAIT_QUEUE_HEAD_ONSTACK
  // Mainline has no LOOKUP_SHARED (v4 6/7 adds it).
  const unsigned shared = patches().lookup_shared ? unsigned(LOOKUP_SHARED) : 0u;
  if (patches().lift) return __lookup_slow(name, dir, flags | shared, &wq);  // locks in there
  inode_lock_shared(in);
  dentry* res = __lookup_slow(name, dir, flags | shared, &wq);
  inode_unlock_shared(in);
  return res;
}

namespace {

// ModelOptions::selftest_d_lock_nesting: lockdep's d_lock checks at work.
void selftest_d_lock_nesting(dentry* parent, dentry* child) {
  const int mode = kstate().plan->options.selftest_d_lock_nesting;
  if (mode == 0) return;
  spinlock_t* first = mode == 2 ? &child->d_lock : &parent->d_lock;
  spinlock_t* second = mode == 2 ? &parent->d_lock : &child->d_lock;
  spin_lock(first);
  spin_lock_nested(second, mode == 1 ? DENTRY_D_LOCK_NORMAL : DENTRY_D_LOCK_NESTED);
  spin_unlock(second);
  spin_unlock(first);
}

}  // namespace

dentry* walk_components(const int* names, int count) {
  dentry* cur = kstate().root;
  dget(cur);
  for (int i = 0; i < count; ++i) {
    // kernel: each step is link_path_walk's walk_component; stat's last is lookup_last's
    const CallFrame step(i + 1 < count ? "link_path_walk" : "lookup_last");
    if (!d_inode_of_dir(cur)->dir) {
      dput(cur);
      return ERR_PTR(-ENOTDIR);
    }
    dentry* next = lookup_fast(names[i], cur);
    if (!next) next = lookup_slow(names[i], cur, 0);
    if (!IS_ERR(next)) selftest_d_lock_nesting(cur, next);
    if (!IS_ERR(next) && kstate().plan->options.selftest_dput_under_spinlock) {
      spin_lock(&next->d_lock);
      dput(cur);
      spin_unlock(&next->d_lock);
      cur = nullptr;
    }
    if (cur && kstate().plan->options.selftest_walk_puts_twice) dput(cur);
    if (cur) dput(cur);
    if (IS_ERR(next)) return next;
    if (!next->d_inode) {
      dput(next);
      return ERR_PTR(-ENOENT);
    }
    cur = next;
  }
  return cur;
}

namespace {

// lookup_dcache: the cached dentry of `name` under `base`, revalidated; one
// that ->d_revalidate rejects is invalidated and put (NULL).
dentry* lookup_dcache(int name, dentry* base, inode* dir, unsigned flags) {
  dentry* d = d_lookup(base, name);
  if (d && d_revalidate(dir, name, d, flags) <= 0) {
    d_invalidate(d);
    dput(d);
    d = nullptr;
  }
  return d;
}

// lookup_one_qstr_excl's last checks: a negative dentry only for a create or
// a rename target, a positive one not for an exclusive create.
dentry* lookup_one_qstr_check(dentry* d, unsigned flags) {
  if (!d->d_inode && !(flags & (LOOKUP_CREATE | LOOKUP_RENAME_TARGET))) {
    dput(d);
    return ERR_PTR(-ENOENT);
  }
  if (d->d_inode && (flags & LOOKUP_EXCL)) {
    dput(d);
    return ERR_PTR(-EEXIST);
  }
  return d;
}

}  // namespace

dentry* lookup_one_qstr_excl(int name, dentry* base, unsigned flags) {
  CALL_FRAME();
  inode* dir = d_inode_of_dir(base);
  dentry* d = lookup_dcache(name, base, dir, flags);
  if (!d && dir->dead) return ERR_PTR(-ENOENT);  // no child dentry for a dead directory
  if (!d) {
    d = d_alloc(base, name);
    if (!d) return ERR_PTR(-ENOMEM);
    dentry* old = fs_lookup(dir, d, flags);
    if (old) {
      dput(d);
      d = old;
    }
    if (IS_ERR(d)) return d;
  }
  return lookup_one_qstr_check(d, flags);
}

// "lift" (the series' next step, posted as "VFS: lift d_alloc_parallel above
// inode_lock"): the lookup before any parent lock. d_alloc_parallel runs
// unlocked, ->lookup under the shared lock; a dentry still in lookup (nfs
// skips the lookup of an exclusive create or a rename target) is returned
// unchecked and the caller ends its lookup (end_dirop, end_renaming). `wq`
// must live as long as that: the caller's. kernel: lookup_one_qstr.
dentry* lookup_one_qstr(int name, dentry* base, unsigned flags, wait_queue_head* wq) {
  CALL_FRAME();
  inode* dir = d_inode_of_dir(base);
  dentry* d = lookup_dcache(name, base, dir, flags);
  if (!d && dir->dead) return ERR_PTR(-ENOENT);  // no child dentry for a dead directory
  if (!d) {
    d = d_alloc_parallel(base, name, wq);
    if (IS_ERR(d)) return d;
    if (d_in_lookup(d)) {
      const unsigned shared = patches().lookup_shared ? unsigned(LOOKUP_SHARED) : 0u;
      dentry* old = lookup_locked_shared(dir, d, flags | shared);
      if (old) {
        d_lookup_done(d);
        dput(d);
        d = old;
      }
      if (IS_ERR(d)) return d;
      if (d_in_lookup(d)) return d;  // only the operation itself can tell
    }
  }
  return lookup_one_qstr_check(d, flags);
}

namespace {

// lookup_open under "lift": no parent lock for the lookup, the shared lock
// around ->lookup, the exclusive one around ->create, which happens only if
// the dentry is still negative and the parent alive.
dentry* lookup_open_lifted(dentry* dir, int name, bool o_creat) {
  inode* dir_inode = d_inode_of_dir(dir);
  wait_queue_head wq;
  const unsigned intent = LOOKUP_OPEN | (o_creat ? unsigned(LOOKUP_CREATE) : 0u);
  dentry* d = d_lookup(dir, name);
  for (;;) {
    if (!d) d = d_alloc_parallel(dir, name, &wq);
    if (IS_ERR(d)) return d;
    if (d_in_lookup(d) || d_revalidate(dir_inode, name, d, intent) > 0) break;
    d_invalidate(d);
    dput(d);
    d = nullptr;
  }
  if (d_in_lookup(d)) {
    const unsigned shared = patches().lookup_shared ? unsigned(LOOKUP_SHARED) : 0u;
    dentry* res = lookup_locked_shared(dir_inode, d, intent | shared, "lookup_open");
    d_lookup_done(d);
    if (res) {
      dput(d);
      d = res;
      if (IS_ERR(d)) return d;
    }
  }
  if (o_creat && !d->d_inode) {
    inode_lock(dir_inode, "lookup_open");
    int err = 0;
    if (!d->d_inode && !dir_inode->dead) {
      err = fs_create(dir_inode, d, false, /*excl=*/false);
    } else if (!d->d_inode) {
      err = -ENOENT;
    }
    inode_unlock(dir_inode, "lookup_open");
    if (err) {
      dput(d);
      return ERR_PTR(err);
    }
  }
  return d;
}

}  // namespace

// The parent is held exclusive with O_CREAT, shared without (open_last_lookups).
// Without O_CREAT a negative dentry is returned as it is (do_open's -ENOENT).
dentry* lookup_open(dentry* dir, int name, bool o_creat) {
  CALL_FRAME();
  if (patches().lift) return lookup_open_lifted(dir, name, o_creat);
  inode* dir_inode = d_inode_of_dir(dir);
  if (dir_inode->dead) return ERR_PTR(-ENOENT);
  wait_queue_head wq;
  dentry* d = d_lookup(dir, name);
  for (;;) {
    if (!d) d = d_alloc_parallel(dir, name, &wq);
    if (IS_ERR(d)) return d;
    const unsigned intent = LOOKUP_OPEN | (o_creat ? unsigned(LOOKUP_CREATE) : 0u);
    if (d_in_lookup(d) || d_revalidate(dir_inode, name, d, intent) > 0) break;
    d_invalidate(d);
    dput(d);
    d = nullptr;
  }
  if (d_in_lookup(d)) {
    // v4 6/7: shared_flag, LOOKUP_SHARED when the parent is held shared.
    const unsigned shared = !o_creat && patches().lookup_shared ? unsigned(LOOKUP_SHARED) : 0u;
    const unsigned intent = LOOKUP_OPEN | (o_creat ? unsigned(LOOKUP_CREATE) : 0u);
    dentry* res = fs_lookup(dir_inode, d, intent | shared);
    d_lookup_done(d);
    if (res) {
      dput(d);
      d = res;
      if (IS_ERR(d)) return d;
    }
  }
  if (!d->d_inode && o_creat) {
    int err = fs_create(dir_inode, d, false, /*excl=*/false);
    if (err) {
      dput(d);
      return ERR_PTR(err);
    }
  }
  return d;
}

}  // namespace dcfuzz::model
