// rename(2) and renameat2(RENAME_EXCHANGE): do_renameat2, lock_rename and the
// checks vfs_rename makes.
#include <utility>

#include "core/bug.h"
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

bool is_subdir(const dentry* d, const dentry* ancestor) {
  for (;; d = d->d_parent) {
    if (d == ancestor) return true;
    if (IS_ROOT(d)) return false;
  }
}

// Two directories: s_vfs_rename_mutex, then the ancestor first (else by
// inode number, where the kernel orders by address), annotated for lockdep
// as lock_two_directories does (I_MUTEX_PARENT, then I_MUTEX_PARENT2).
void lock_rename(dentry* p1, dentry* p2) {
  CALL_FRAME();
  if (p1 == p2) {
    inode_lock_nested(d_inode_of_dir(p1), I_MUTEX_PARENT);
    return;
  }
  mutex_lock(&kstate().s_vfs_rename_mutex);
  inode* i1 = d_inode_of_dir(p1);  // lock_two_directories
  inode* i2 = d_inode_of_dir(p2);
  bool p2_first = is_subdir(p1, p2) || (!is_subdir(p2, p1) && i2->i_no < i1->i_no);
  inode_lock_nested(p2_first ? i2 : i1, I_MUTEX_PARENT);
  inode_lock_nested(p2_first ? i1 : i2, I_MUTEX_PARENT2);
}

void unlock_rename(dentry* p1, dentry* p2) {
  CALL_FRAME();
  inode_unlock(d_inode_of_dir(p1));
  if (p1 == p2) return;
  inode_unlock(d_inode_of_dir(p2));
  mutex_unlock(&kstate().s_vfs_rename_mutex);
}

// do_renameat2's and vfs_rename's checks, in their order; 0 when the rename
// may go on (also when both names are one inode: vfs_rename does nothing).
// RENAME_EXCHANGE: the target must exist, being an ancestor of the source is
// -EINVAL, and the types may differ.
int may_rename(dentry* old_d, dentry* new_d, dentry* old_parent, dentry* new_parent,
               bool exchange) {
  inode* target = new_d->d_inode;
  if (!target && exchange) return -ENOENT;
  if (is_subdir(new_parent, old_d)) return -EINVAL;  // into itself
  if (target && is_subdir(old_parent, new_d)) return exchange ? -EINVAL : -ENOTEMPTY;
  // vfs_rename's may_delete, after the trap checks: only "lift" gets here with
  // a negative source (xfs ascii-ci's ->lookup leaves a missing name in lookup).
  if (!old_d->d_inode) return -ENOENT;
  if (old_d->d_inode == target) return 0;
  if (d_inode_of_dir(old_parent)->dead) return -ENOENT;  // may_delete: IS_DEADDIR
  if (target && !exchange) {
    if (old_d->d_inode->dir && !target->dir) return -ENOTDIR;
    if (!old_d->d_inode->dir && target->dir) return -EISDIR;
  }
  if (d_inode_of_dir(new_parent)->dead) return -ENOENT;  // may_create / may_delete: IS_DEADDIR
  return 0;
}

// lock_two_nondirectories, by inode number where the kernel orders by address.
void lock_two_nondirectories(inode* a, inode* b) {
  CALL_FRAME();
  if (b->i_no < a->i_no) std::swap(a, b);
  inode_lock(a);
  inode_lock_nested(b, I_MUTEX_NONDIR2);
}

// vfs_rename with RENAME_EXCHANGE, after may_rename: the children locked as
// the kernel does (a directory only when its parent changes, non-directories
// always), the filesystem's exchange, d_exchange. Nothing dies.
int vfs_rename_exchange(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  CALL_FRAME();
  inode* source = old_d->d_inode;
  inode* target = new_d->d_inode;
  const bool is_dir = source->dir, new_is_dir = target->dir;
  const bool cross = old_dir != new_dir;  // lock_old_subdir, lock_new_subdir
  if (is_dir) {
    if (cross) inode_lock_nested(source, I_MUTEX_CHILD);
    if (!new_is_dir || cross) inode_lock(target);
  } else if (new_is_dir) {
    if (cross) inode_lock_nested(target, I_MUTEX_CHILD);
    inode_lock(source);
  } else {
    lock_two_nondirectories(source, target);
  }
  int err = fs_rename_exchange(old_dir, old_d, new_dir, new_d);
  if (!err) d_exchange(old_d, new_d);
  if (!is_dir || cross) inode_unlock(source);
  if (!new_is_dir || cross) inode_unlock(target);
  return err;
}

// vfs_rename from the target's lock on: a directory target is locked, found
// not empty by the filesystem (simple_rename, xfs_rename), and once
// replaced its unused children go and it is marked S_DEAD, so that nothing
// is created in it any more. (The model locks no non-directory here.)
int vfs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  inode* target = new_d->d_inode;
  const bool lock_target = target && target->dir;
  // nfs: the server checks and replaces what the target's name has now.
  const bool server = kstate().plan->scenario.fs == FsKind::nfs;
  if (lock_target) inode_lock(target);
  int err = lock_target && !server && !target->entries.empty() ? -ENOTEMPTY : 0;
  if (!err)
    err = server ? nfs_rename(old_dir, old_d, new_dir, new_d)
                 : fs_rename(old_dir, old_d, new_dir, new_d);
  if (!err && lock_target) {
    shrink_dcache_parent(new_d);
    if (!server) target->dead = true;  // nfs: the server's rename killed it
  }
  if (!err && !server) d_move(old_d, new_d);  // nfs: FS_RENAME_DOES_D_MOVE, nfs_rename moved it
  if (lock_target) inode_unlock(target);
  return err;
}

// do_renameat2 once both names are looked up and the parents locked.
int rename_dentries(bool exchange, dentry* p1, dentry* old_d, dentry* p2, dentry* new_d) {
  int err = old_d == new_d ? 0 : may_rename(old_d, new_d, p1, p2, exchange);
  const bool same = old_d == new_d || old_d->d_inode == new_d->d_inode;
  if (!err && !same && exchange) {
    err = vfs_rename_exchange(p1->d_inode, old_d, p2->d_inode, new_d);
  } else if (!err && !same) {
    err = vfs_rename(p1->d_inode, old_d, p2->d_inode, new_d);
  }
  return err;
}

// RENAME_EXCHANGE looks the target up as any name (target_flags = 0): -ENOENT if negative.
unsigned rename_target_flags(const PlanOp& op) {
  return op.kind == OpKind::rename_exchange ? 0u : unsigned(LOOKUP_RENAME_TARGET | LOOKUP_CREATE);
}

int rename_locked(const PlanOp& op, dentry* p1, dentry* p2) {
  dentry* old_d = lookup_one_qstr_excl(op.path.back(), p1, 0);
  if (IS_ERR(old_d)) return int(PTR_ERR(old_d));
  dentry* new_d = lookup_one_qstr_excl(op.path2.back(), p2, rename_target_flags(op));
  if (IS_ERR(new_d)) {
    dput(old_d);
    return int(PTR_ERR(new_d));
  }
  int err = rename_dentries(op.kind == OpKind::rename_exchange, p1, old_d, p2, new_d);
  dput(new_d);
  dput(old_d);
  return err;
}

// "lift": both names looked up before lock_rename (the target may stay in
// lookup: nfs does not look it up), then, under the locks, looked up again
// if either left the hash or its parent meanwhile. kernel: __start_renaming
// and end_renaming after "VFS: lift d_alloc_parallel above inode_lock"; the
// model ends both lookups before unlock_rename on every path (the kernel's
// trap checks unlock first).
int rename_lifted(const PlanOp& op, dentry* p1, dentry* p2) {
  wait_queue_head wq1, wq2;  // without 2/7: the queues of dentries left in lookup
  auto moved = [](dentry* d, dentry* parent) {
    return (!d_in_lookup(d) && d_unhashed(d)) || d->d_parent != parent;
  };
  for (;;) {
    dentry* old_d = lookup_one_qstr(op.path.back(), p1, 0, &wq1);
    if (IS_ERR(old_d)) return int(PTR_ERR(old_d));
    dentry* new_d = lookup_one_qstr(op.path2.back(), p2, rename_target_flags(op), &wq2);
    if (IS_ERR(new_d)) {
      d_lookup_done(old_d);
      dput(old_d);
      return int(PTR_ERR(new_d));
    }
    lock_rename(p1, p2);
    const bool retry = moved(old_d, p1) || moved(new_d, p2);
    int err = 0;
    if (!retry) err = rename_dentries(op.kind == OpKind::rename_exchange, p1, old_d, p2, new_d);
    d_lookup_done(old_d);
    d_lookup_done(new_d);
    unlock_rename(p1, p2);
    dput(new_d);
    dput(old_d);
    if (!retry) return err;
  }
}

}  // namespace

int do_rename(const PlanOp& op) {
  CALL_FRAME();
  if (op.path2.empty()) return -EBUSY;
  dentry* p1 = walk_parent(op.path);  // filename_parentat: ENOTDIR before the second walk
  if (IS_ERR(p1)) return int(PTR_ERR(p1));
  dentry* p2 = walk_parent(op.path2);
  if (IS_ERR(p2)) {
    dput(p1);
    return int(PTR_ERR(p2));
  }
  int err = 0;
  if (patches().lift) {
    err = rename_lifted(op, p1, p2);
  } else {
    lock_rename(p1, p2);
    err = rename_locked(op, p1, p2);
    unlock_rename(p1, p2);
  }
  dput(p2);
  dput(p1);
  return err;
}

}  // namespace dcfuzz::model
