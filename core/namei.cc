// fs/namei.c: the path walk and the lookups that create in-lookup dentries.
#include "core/namei.h"

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
  if (d_revalidate(dir->d_inode, name, d, 0) > 0) return d;
  d_invalidate(d);
  dput(d);
  return nullptr;
}

namespace {

dentry* __lookup_slow(int name, dentry* dir, unsigned flags, wait_queue_head* wq) {
  CALL_FRAME();
  if (dir->d_inode->dead) return ERR_PTR(-ENOENT);  // don't go there if it's already dead
  dentry* d;
  for (;;) {  // again:
    d = d_alloc_parallel(dir, name, wq);
    if (IS_ERR(d) || d_in_lookup(d)) break;
    if (d_revalidate(dir->d_inode, name, d, flags) > 0) return d;
    d_invalidate(d);
    dput(d);
  }
  if (IS_ERR(d)) return d;
  dentry* old = fs_lookup(dir->d_inode, d, flags);
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
  inode* in = dir->d_inode;
  wait_queue_head wq;  // DECLARE_WAIT_QUEUE_HEAD_ONSTACK
  inode_lock_shared(in);
  // Mainline has no LOOKUP_SHARED (v4 6/7 adds it).
  const unsigned shared = patches().lookup_shared ? unsigned(LOOKUP_SHARED) : 0u;
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
    if (!cur->d_inode->dir) {
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

dentry* lookup_one_qstr_excl(int name, dentry* base, unsigned flags) {
  CALL_FRAME();
  inode* dir = base->d_inode;
  dentry* d = d_lookup(base, name);  // lookup_dcache
  if (d && d_revalidate(dir, name, d, flags) <= 0) {
    d_invalidate(d);
    dput(d);
    d = nullptr;
  }
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

// open(O_CREAT): the parent is held exclusive (no LOOKUP_SHARED).
dentry* lookup_open(dentry* dir, int name) {
  CALL_FRAME();
  inode* dir_inode = dir->d_inode;
  if (dir_inode->dead) return ERR_PTR(-ENOENT);
  wait_queue_head wq;
  dentry* d = d_lookup(dir, name);
  for (;;) {
    if (!d) d = d_alloc_parallel(dir, name, &wq);
    if (IS_ERR(d)) return d;
    if (d_in_lookup(d) || d_revalidate(dir_inode, name, d, LOOKUP_OPEN | LOOKUP_CREATE) > 0) break;
    d_invalidate(d);
    dput(d);
    d = nullptr;
  }
  if (d_in_lookup(d)) {
    dentry* res = fs_lookup(dir_inode, d, LOOKUP_OPEN | LOOKUP_CREATE);
    d_lookup_done(d);
    if (res) {
      dput(d);
      d = res;
      if (IS_ERR(d)) return d;
    }
  }
  if (!d->d_inode) {
    int err = fs_create(dir_inode, d, false, /*excl=*/false);
    if (err) {
      dput(d);
      return ERR_PTR(err);
    }
  }
  return d;
}

}  // namespace dcfuzz::model
